import { CONTROL, issueKeyInChange, revokePersonalKeys, validName, type IssueKeyInput } from "./apiKeys.ts";
import { recordAudit } from "./audit.ts";
import { grantablePermissions } from "./permissions.ts";
import { lockMembership, type PlatformStep } from "./change.ts";
import { underOrganizationPolicy } from "./organizationPolicy.ts";
import { freeSlug, validEmail } from "./organizations.ts";
import { containsSecret } from "../auth/key.ts";
import { badInput, KeywardError, notFound } from "../errors.ts";
import { Prisma, type Organization, type Role, type User } from "../generated/prisma/client.ts";

const EXTERNAL_ID_MAX = 128;
const METADATA_MAX_BYTES = 4096;

/** The product's own id: 1–128 characters, none of them a control character, kept as given. */
export function validExternalId(raw: string, field = "externalId"): string {
  if (raw.length === 0 || raw.length > EXTERNAL_ID_MAX) throw badInput(`${field} must be 1 to ${EXTERNAL_ID_MAX} characters.`, field);
  if (CONTROL.test(raw)) throw badInput(`${field} must not contain control characters.`, field);
  if (containsSecret(raw)) throw badInput(`${field} must not contain an API key or invitation code.`, field);
  return raw;
}

/** A JSON object of at most 4 KB serialized, holding no secret (metadata is returned wherever its owner is read). */
export function validMetadata(value: Record<string, unknown>, field = "metadata"): Prisma.InputJsonObject {
  const text = JSON.stringify(value);
  if (Buffer.byteLength(text, "utf8") > METADATA_MAX_BYTES) throw badInput(`${field} must be at most ${METADATA_MAX_BYTES} bytes as JSON.`, field);
  if (containsSecret(text)) throw badInput(`${field} must not contain an API key or invitation code.`, field);
  return value as Prisma.InputJsonObject;
}

const taken = (what: string, extra: Record<string, unknown> = {}) => new KeywardError("CONFLICT", `${what} is already taken.`, extra);

/** The organization, locked for the rest of the change (`FOR UPDATE`: it is about to change or go). */
async function lockedOrganization(tx: Prisma.TransactionClient, id: string): Promise<Organization> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "Organization" WHERE "id" = ${id} FOR UPDATE`;
  const organization = rows.length ? await tx.organization.findUnique({ where: { id } }) : null;
  if (!organization) throw notFound("Organization");
  return organization;
}

/** The organization with this externalId, as a CONFLICT naming it (what makes createOrganization idempotent). */
export async function conflictOnExternalId(tx: Prisma.TransactionClient, externalId: string): Promise<void> {
  const existing = await tx.organization.findUnique({ where: { externalId }, select: { id: true } });
  if (existing) throw taken("This organization externalId", { organizationId: existing.id });
}

/** A person by email (created when new); their externalId set, or CONFLICT when it names someone else. */
async function personFor(tx: Prisma.TransactionClient, rawEmail: string, externalId: string | null): Promise<User> {
  const email = validEmail(rawEmail);
  const user = await tx.user.upsert({ where: { email }, create: { email }, update: {} });
  if (externalId === null || user.externalId === externalId) return user;
  if (user.externalId !== null) throw taken("This person already has another externalId; it");
  if (await tx.user.findUnique({ where: { externalId }, select: { id: true } })) throw taken("This user externalId");
  return tx.user.update({ where: { id: user.id }, data: { externalId } });
}

export interface NewTenantInput {
  name: string;
  externalId?: string | null;
  metadata?: Record<string, unknown> | null;
  admin: { email: string; externalId?: string | null };
}

/** An organization and its first admin (no key: the platform issues keys with createApiKey), audited in it. */
export async function createTenant(step: PlatformStep, input: NewTenantInput): Promise<{ organization: Organization; admin: User }> {
  const { tx } = step;
  const name = validName(input.name);
  const externalId = input.externalId == null ? null : validExternalId(input.externalId);
  const metadata = input.metadata == null ? null : validMetadata(input.metadata);
  const adminExternalId = input.admin.externalId == null ? null : validExternalId(input.admin.externalId, "admin.externalId");
  if (externalId !== null) await conflictOnExternalId(tx, externalId);
  const organization = await tx.organization.create({
    data: { name, slug: await freeSlug(tx, name), externalId, createdByPlatform: true, ...(metadata ? { metadata } : {}) },
  });
  const admin = await personFor(tx, input.admin.email, adminExternalId);
  await tx.membership.create({ data: { organizationId: organization.id, userId: admin.id, role: "ADMIN" } });
  await recordAudit(tx, step.actorIn(organization.id), {
    action: "ORGANIZATION_CREATED",
    targetType: "Organization",
    targetId: organization.id,
    metadata: { name, slug: organization.slug, externalId, adminUserId: admin.id },
  });
  return { organization, admin };
}

export interface TenantUpdate {
  name?: string | null;
  externalId?: string | null;
  /** `null` clears it. */
  metadata?: Record<string, unknown> | null;
}

/**
 * Changes what a platform knows its tenant by. Every key of the organization is touched: the
 * verifier's memory holds the organization's name, externalId and metadata for `verifyApiKey`.
 */
export async function updateTenant(step: PlatformStep, id: string, input: TenantUpdate): Promise<Organization> {
  const { tx } = step;
  const name = input.name == null ? undefined : validName(input.name);
  const externalId = input.externalId == null ? undefined : validExternalId(input.externalId);
  const metadata = input.metadata === undefined ? undefined : input.metadata === null ? null : validMetadata(input.metadata);
  const before = await lockedOrganization(tx, id);
  if (externalId !== undefined && externalId !== before.externalId) await conflictOnExternalId(tx, externalId);
  const organization = await tx.organization.update({
    where: { id },
    data: { name, externalId, ...(metadata === undefined ? {} : { metadata: metadata ?? Prisma.DbNull }) },
  });
  await touchKeysOf(step, id);
  const changed = { name: name !== undefined, externalId: externalId !== undefined, metadata: metadata !== undefined };
  await recordAudit(tx, step.actorIn(id), { action: "ORGANIZATION_UPDATED", targetType: "Organization", targetId: id, metadata: { changed } });
  return organization;
}

async function touchKeysOf({ tx, touch }: PlatformStep, organizationId: string): Promise<string[]> {
  const keys = await tx.apiKey.findMany({ where: { organizationId }, select: { id: true } });
  touch({ keyIds: keys.map((k) => k.id) });
  return keys.map((k) => k.id);
}

/**
 * Removes an organization and, by cascade, its keys, members' places, invitations, sessions and
 * audit log. Every key of it, and every member's keys, are refused at once on every instance;
 * the deletion itself is audited at platform level (it would not survive the cascade in the
 * organization's own log), naming the organization in `targetId`.
 */
export async function deleteTenant(step: PlatformStep, id: string, confirm: boolean): Promise<void> {
  const { tx } = step;
  const organization = await lockedOrganization(tx, id);
  if (!confirm) {
    throw new KeywardError("CONFIRMATION_REQUIRED", "Deleting an organization removes its keys, members and audit log for good; pass confirm: true.", {
      organizationId: id,
    });
  }
  const keyIds = await touchKeysOf(step, id);
  const members = await tx.membership.findMany({ where: { organizationId: id }, select: { userId: true } });
  step.touch({ userIds: members.map((m) => m.userId) });
  await tx.organization.delete({ where: { id } });
  await step.audit({
    action: "ORGANIZATION_DELETED",
    targetType: "Organization",
    targetId: id,
    metadata: { name: organization.name, slug: organization.slug, externalId: organization.externalId, keys: keyIds.length, members: members.length },
  });
}

export interface NewMemberInput {
  organizationId: string;
  email: string;
  externalId?: string | null;
  role: Role;
}

/** A membership without an invitation (platform only); CONFLICT when the person is a member already. */
export async function addTenantMember(step: PlatformStep, input: NewMemberInput) {
  const { tx } = step;
  const externalId = input.externalId == null ? null : validExternalId(input.externalId);
  await lockedOrganization(tx, input.organizationId);
  const user = await personFor(tx, input.email, externalId);
  if (await lockMembership(tx, input.organizationId, user.id, "update")) throw taken("This person's membership of the organization");
  const membership = await tx.membership.create({ data: { organizationId: input.organizationId, userId: user.id, role: input.role } });
  // Should a personal key have escaped an earlier removal, it does not come back with the person.
  await revokePersonalKeys(step, input.organizationId, user.id);
  step.touch({ userIds: [user.id] });
  await recordAudit(tx, step.actorIn(input.organizationId), {
    action: "MEMBER_ADDED",
    targetType: "User",
    targetId: user.id,
    metadata: { email: user.email, role: input.role },
  });
  return { membership, user };
}

export interface TenantKeyInput extends Omit<IssueKeyInput, "ownerId" | "metadata"> {
  organizationId: string;
  ownerId: string | null;
  metadata: Record<string, unknown> | null;
}

/** A platform key creating a key in an organization: a SERVICE key, or a PERSONAL key for `ownerId`, a member. */
export async function issueTenantKey(step: PlatformStep, input: TenantKeyInput) {
  const { tx } = step;
  const metadata = input.metadata === null ? null : validMetadata(input.metadata);
  if (input.kind === "SERVICE" && input.ownerId !== null) throw badInput("A SERVICE key has no owner; leave out ownerId.", "ownerId");
  if (input.kind === "PERSONAL" && input.ownerId === null) throw badInput("A PERSONAL key needs ownerId, a member of the organization.", "ownerId");
  const organization = await tx.organization.findUnique({ where: { id: input.organizationId }, select: { id: true } });
  if (!organization) throw notFound("Organization");
  if (input.ownerId !== null && !(await lockMembership(tx, input.organizationId, input.ownerId, "share"))) throw notFound("Member");
  const permissions = await grantablePermissions(tx, input.organizationId, input.permissions);
  const policy = await underOrganizationPolicy(tx, input.organizationId, input.expiresAt, input.policy ?? {});
  return issueKeyInChange({ tx, touch: step.touch, actor: step.actorIn(input.organizationId) }, { ...input, metadata, permissions, policy });
}

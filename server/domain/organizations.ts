import { issueKey, validName } from "./apiKeys.ts";
import type { Actor } from "./audit.ts";
import { keylessChange, type KeylessServices, type KeylessStep } from "./change.ts";
import { randomBase62 } from "../auth/key.ts";
import { scopes } from "../auth/scopes.ts";
import type { RequestInfo } from "../context.ts";
import { badInput, KeywardError } from "../errors.ts";
import type { ApiKey, Organization, Prisma, User } from "../generated/prisma/client.ts";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$|^[^\s@]+@localhost$/;

export function validEmail(raw: string, field = "email"): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) throw badInput(`${field} must be an email address.`, field);
  return email;
}

function slugify(name: string): string {
  const base = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return base || "org";
}

export async function freeSlug(tx: Prisma.TransactionClient, name: string): Promise<string> {
  const base = slugify(name);
  if (!(await tx.organization.findUnique({ where: { slug: base }, select: { id: true } }))) return base;
  return `${base}-${randomBase62(6).toLowerCase()}`;
}

export interface NewOrganization {
  organization: Organization;
  user: User;
  apiKey: ApiKey;
  secret: string;
}

/**
 * An organization, its first admin (reused by email when the person already exists),
 * and that admin's first personal key with every scope: one transaction, audited.
 */
export function createOrganization(
  services: KeylessServices,
  input: NewOrganizationInput,
  request?: RequestInfo,
): Promise<NewOrganization> {
  return keylessChange(services, (step) => createOrganizationIn(step, input, request));
}

export interface NewOrganizationInput {
  organizationName: string;
  email: string;
  keyName?: string;
  /**
   * An email that already has a user: `reuse` it (the first boot, on an empty database), or
   * `refuse` (self-service sign-up, where nothing proves the caller owns that address, and an
   * operator's `init`, which agrees with it).
   * @default "reuse"
   */
  existingUser?: "reuse" | "refuse";
}

export async function createOrganizationIn(
  { tx, audit }: Pick<KeylessStep, "tx" | "audit">,
  input: NewOrganizationInput,
  request: RequestInfo = { ip: null, userAgent: null },
): Promise<NewOrganization> {
  const name = validName(input.organizationName, "organizationName");
  const email = validEmail(input.email);
  if (input.existingUser === "refuse" && (await tx.user.findUnique({ where: { email }, select: { id: true } }))) {
    throw new KeywardError("CONFLICT", "That email already has an account: ask an admin of its organization to invite it instead.");
  }
  const organization = await tx.organization.create({ data: { name, slug: await freeSlug(tx, name) } });
  const user = await tx.user.upsert({ where: { email }, create: { email }, update: {} });
  await tx.membership.create({ data: { organizationId: organization.id, userId: user.id, role: "ADMIN" } });
  const actor: Actor = { ...request, organizationId: organization.id, keyId: null, userId: user.id };
  await audit(actor, {
    action: "ORGANIZATION_CREATED",
    targetType: "Organization",
    targetId: organization.id,
    metadata: { name, slug: organization.slug, adminUserId: user.id },
  });
  const { apiKey, secret } = await issueKey(tx, actor, {
    kind: "PERSONAL",
    ownerId: user.id,
    name: input.keyName ?? "Admin key",
    environment: "LIVE",
    scopes,
    expiresAt: null,
  });
  return { organization, user, apiKey, secret };
}

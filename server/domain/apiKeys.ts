import type { Actor } from "./audit.ts";
import { recordAudit } from "./audit.ts";
import type { ChangeStep } from "./change.ts";
import { containsSecret, generateKey } from "../auth/key.ts";
import { effectiveScopes, type Scope } from "../auth/scopes.ts";
import type { Principal } from "../auth/principal.ts";
import { badInput, forbidden, notFound } from "../errors.ts";
import type { ApiKey, ApiKeyEnvironment, ApiKeyKind, Prisma, Role } from "../generated/prisma/client.ts";
import { DAY_MS } from "../infra/usageTracker.ts";
import { policyData, policyOf, type KeyPolicy, type PolicyChange } from "./keyPolicies.ts";

/** The parts of a policy that are set, for an audit event (a key without limits adds nothing). */
export function policySet(policy: KeyPolicy): Prisma.InputJsonObject {
  return Object.fromEntries(Object.entries(policy).filter(([, value]) => value !== null)) as Prisma.InputJsonObject;
}

const NAME_MAX = 100;
const MAX_EXPIRY_DAYS = 3650;
export const MAX_GRACE_SECONDS = 7 * 24 * 3600;
export const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function validName(raw: string, field = "name"): string {
  const name = raw.trim();
  if (name.length === 0) throw badInput(`${field} must not be empty.`, field);
  if (name.length > NAME_MAX) throw badInput(`${field} must be at most ${NAME_MAX} characters.`, field);
  if (CONTROL.test(name)) throw badInput(`${field} must not contain control characters.`, field);
  if (containsSecret(name)) throw badInput(`${field} must not contain an API key or invitation code.`, field);
  return name;
}

export function validExpiry(expiresAt: Date | null | undefined, now = new Date()): Date | null {
  if (expiresAt == null) return null;
  if (Number.isNaN(expiresAt.getTime())) throw badInput("expiresAt is not a valid date.", "expiresAt");
  if (expiresAt <= now) throw badInput("expiresAt must be in the future.", "expiresAt");
  if (expiresAt.getTime() - now.getTime() > MAX_EXPIRY_DAYS * DAY_MS) {
    throw badInput(`expiresAt must be within ${MAX_EXPIRY_DAYS} days.`, "expiresAt");
  }
  return expiresAt;
}

/**
 * Whether a key counts as in use: `ApiKey.usedInLast24Hours`, and what makes deleting it need
 * `confirm: true`. `lastUsedAt` should include this instance's uses not yet flushed.
 */
export function usedInLast24Hours(lastUsedAt: Date | null, now = Date.now()): boolean {
  return lastUsedAt !== null && now - lastUsedAt.getTime() < DAY_MS;
}

/**
 * The scopes a new key may be given: those asked for, once each, none beyond what the caller
 * holds (FORBIDDEN otherwise), so no key ever mints a stronger one.
 */
export function grantableScopes(caller: Pick<Principal, "scopes">, requested: readonly Scope[]): Scope[] {
  const scopes = [...new Set(requested)];
  const beyond = scopes.filter((s) => !caller.scopes.has(s));
  if (beyond.length > 0) throw forbidden(`The calling key may not grant ${beyond.join(", ")}.`);
  return scopes;
}

export interface IssueKeyInput {
  kind: ApiKeyKind;
  ownerId: string | null;
  name: string;
  environment: ApiKeyEnvironment;
  scopes: readonly Scope[];
  expiresAt: Date | null;
  /** Only platform keys set it (see `validMetadata`). */
  metadata?: Prisma.InputJsonObject | null;
  /** The key's own limits (checked by `validPolicyChange`); none by default. */
  policy?: PolicyChange;
  /** The product's own permission names, already checked against the catalogue (`grantablePermissions`). */
  permissions?: readonly string[];
}

/** Creates a key and its audit event in `tx`; the returned `secret` is the full key, shown once. */
export async function issueKey(
  tx: Prisma.TransactionClient,
  actor: Actor,
  input: IssueKeyInput,
  action: "API_KEY_CREATED" | "AGENT_CONNECTED" = "API_KEY_CREATED",
  /** Why the key was issued, beside what it is (e.g. `{ reason: "recovery" }`). */
  why: Prisma.InputJsonObject = {},
): Promise<{ apiKey: ApiKey; secret: string }> {
  const generated = generateKey(input.environment === "LIVE" ? "live" : "test");
  const apiKey = await tx.apiKey.create({
    data: {
      id: generated.id,
      organizationId: actor.organizationId,
      kind: input.kind,
      ownerId: input.ownerId,
      name: input.name,
      environment: input.environment,
      scopes: [...input.scopes],
      permissions: [...(input.permissions ?? [])],
      expiresAt: input.expiresAt,
      ...(input.metadata ? { metadata: input.metadata } : {}),
      ...policyData(input.policy ?? {}),
      secretHash: generated.secretHash,
      lastFour: generated.lastFour,
      createdById: actor.userId,
      createdByKeyId: actor.keyId,
    },
  });
  await recordAudit(tx, actor, {
    action,
    targetType: "ApiKey",
    targetId: apiKey.id,
    metadata: { ...why, name: apiKey.name, kind: apiKey.kind, environment: apiKey.environment, scopes: apiKey.scopes, permissions: apiKey.permissions, ...policySet(policyOf(apiKey)) },
  });
  return { apiKey, secret: generated.key };
}

/**
 * `issueKey` inside a change, the new id invalidated on every instance once the change commits:
 * an instance that cached the id as unknown (tried before it existed) must not go on refusing it.
 */
export async function issueKeyInChange(
  { tx, actor, touch }: Pick<ChangeStep, "tx" | "actor" | "touch">,
  input: IssueKeyInput,
  action?: "API_KEY_CREATED" | "AGENT_CONNECTED",
): Promise<{ apiKey: ApiKey; secret: string }> {
  const issued = await issueKey(tx, actor, input, action);
  touch({ keyIds: [issued.apiKey.id] });
  return issued;
}

/** A new secret for an existing key; the old one keeps working for `graceSeconds`. */
export async function rotateKey(
  tx: Prisma.TransactionClient,
  actor: Actor,
  key: ApiKey,
  graceSeconds: number,
  now = new Date(),
  /** A new expiry for the key; left out, it keeps its own. */
  expiresAt?: Date,
): Promise<{ apiKey: ApiKey; secret: string }> {
  const generated = generateKey(key.environment === "LIVE" ? "live" : "test", key.id);
  const apiKey = await tx.apiKey.update({
    where: { id: key.id },
    data: {
      secretHash: generated.secretHash,
      lastFour: generated.lastFour,
      previousSecretHash: graceSeconds > 0 ? key.secretHash : null,
      previousSecretExpiresAt: graceSeconds > 0 ? new Date(now.getTime() + graceSeconds * 1000) : null,
      ...(expiresAt ? { expiresAt } : {}),
    },
  });
  await recordAudit(tx, actor, {
    action: "API_KEY_ROTATED",
    targetType: "ApiKey",
    targetId: key.id,
    metadata: {
      name: key.name,
      gracePeriodSeconds: graceSeconds,
      ...(expiresAt ? { expiresAt: { from: key.expiresAt?.toISOString() ?? null, to: expiresAt.toISOString() } } : {}),
    },
  });
  return { apiKey, secret: generated.key };
}

/**
 * The key's row, locked until the transaction ends and read as it is now (`null` when it is not
 * in the organization). Every change to a key decides on this row, so two changes of one key
 * run one after the other and each sees what the other did.
 */
export async function lockKey(tx: Prisma.TransactionClient, organizationId: string, id: string): Promise<ApiKey | null> {
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "ApiKey" WHERE "id" = ${id} AND "organizationId" = ${organizationId} FOR UPDATE`;
  return locked.length === 0 ? null : tx.apiKey.findUnique({ where: { id } });
}

/**
 * A key of the caller's organization that the caller may manage, locked for the rest of the
 * change (see `lockKey`); other organizations' keys do not exist.
 */
export async function manageableKey({ tx, caller }: Pick<ChangeStep, "tx" | "caller">, id: string | number): Promise<ApiKey> {
  const key = await lockKey(tx, caller.organizationId, String(id));
  if (!key) throw notFound("API key");
  const own = key.kind === "PERSONAL" && key.ownerId === caller.userId;
  if (!caller.organizationWide && !own) throw forbidden("Members may manage only their own personal keys.");
  return key;
}

/**
 * Revokes what is left of a person's personal keys in an organization (on removal, and should
 * one have escaped it, on joining again), locked first so a racing enable or rotation of one of
 * them finishes before or finds it revoked. Returns them as they were, for their audit events.
 */
export async function revokePersonalKeys(
  { tx, touch }: Pick<ChangeStep, "tx" | "touch">,
  organizationId: string,
  userId: string,
): Promise<{ id: string; status: string }[]> {
  const keys = await tx.$queryRaw<{ id: string; status: string }[]>`
    SELECT "id", "status"::text AS "status" FROM "ApiKey"
    WHERE "organizationId" = ${organizationId} AND "kind" = 'PERSONAL'
      AND "ownerId" = ${userId} AND "status" <> 'REVOKED'
    FOR UPDATE`;
  if (keys.length === 0) return keys;
  await tx.apiKey.updateMany({ where: { id: { in: keys.map((k) => k.id) } }, data: { status: "REVOKED" } });
  touch({ keyIds: keys.map((k) => k.id) });
  return keys;
}

/** The role that caps a personal key now (`null`: its owner is no longer a member); SERVICE keys have none. */
export async function ownerRole(tx: Prisma.TransactionClient, key: ApiKey): Promise<Role | null> {
  if (key.kind !== "PERSONAL" || !key.ownerId || !key.organizationId) return null;
  const membership = await tx.membership.findUnique({
    where: { organizationId_userId: { organizationId: key.organizationId, userId: key.ownerId } },
    select: { role: true },
  });
  return membership?.role ?? null;
}

/**
 * Whether handing `caller` a working secret for `key` gives it nothing it does not hold already:
 * every scope the key has in effect, organization-wide reach only to an organization-wide
 * caller, and an admin's key (which may also mint SERVICE keys and admins) only to an admin.
 */
export function withinCaller(caller: Principal, key: ApiKey, role: Role | null): boolean {
  const personal = key.kind === "PERSONAL";
  // A personal key whose owner has left works for no one.
  if (personal && role === null) return true;
  const scopes = effectiveScopes(key.scopes, personal ? role : null);
  if ([...scopes].some((s) => !caller.scopes.has(s))) return false;
  const organizationWide = !personal || role === "ADMIN";
  if (organizationWide && !caller.organizationWide) return false;
  return !(personal && role === "ADMIN" && caller.role !== "ADMIN");
}

import type { PolicyChange } from "./keyPolicies.ts";
import type { Actor } from "./audit.ts";
import { recordAudit } from "./audit.ts";
import { parseIpRanges } from "./ipRanges.ts";
import { badInput, KeywardError, notFound } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { DAY_MS } from "../infra/usageTracker.ts";

/** Days, for `maxKeyLifetimeDays` and `disableUnusedAfterDays` (the longest expiry a key may have). */
export const POLICY_MAX_DAYS = 3650;
/**
 * The expiry Keyward gives the keys it issues without the caller choosing one (an agent's key,
 * an invitation's first key) when the organization requires expiry but sets no maximum.
 */
export const DEFAULT_REQUIRED_EXPIRY_DAYS = 90;

/** An organization's rules for its keys (`Organization.policy`). */
export interface OrganizationPolicy {
  maxKeyLifetimeDays: number | null;
  requireExpiry: boolean;
  disableUnusedAfterDays: number | null;
  defaultAllowedIps: string[];
}

export const policySelect = {
  maxKeyLifetimeDays: true,
  requireExpiry: true,
  disableUnusedAfterDays: true,
  defaultAllowedIps: true,
} as const satisfies Prisma.OrganizationSelect;

export const noPolicy: OrganizationPolicy = { maxKeyLifetimeDays: null, requireExpiry: false, disableUnusedAfterDays: null, defaultAllowedIps: [] };

/**
 * The organization's policy as it is now, the organization's row held with `FOR KEY SHARE` until
 * the transaction ends: a key issued under this policy commits before a policy change can
 * (which locks the row `FOR UPDATE`), so no key slips past a rule an admin just set.
 */
export async function currentPolicy(tx: Prisma.TransactionClient, organizationId: string): Promise<OrganizationPolicy> {
  const rows = await tx.$queryRaw<OrganizationPolicy[]>`
    SELECT "maxKeyLifetimeDays", "requireExpiry", "disableUnusedAfterDays", COALESCE("defaultAllowedIps", ARRAY[]::text[]) AS "defaultAllowedIps"
    FROM "Organization" WHERE "id" = ${organizationId} FOR KEY SHARE`;
  const policy = rows[0];
  if (!policy) throw notFound("Organization");
  return policy;
}

/**
 * What a new or rotated key of the organization gets from its policy, inside the issuing
 * transaction: its expiry checked against the rules (BAD_USER_INPUT naming the rule), and the
 * organization's `defaultAllowedIps` when the key names no allowlist of its own.
 */
export async function underOrganizationPolicy(tx: Prisma.TransactionClient, organizationId: string, expiresAt: Date | null, keyPolicy: PolicyChange): Promise<PolicyChange> {
  const policy = await currentPolicy(tx, organizationId);
  assertKeyExpiryAllowed(policy, expiresAt);
  if (keyPolicy.allowedIps !== undefined || policy.defaultAllowedIps.length === 0) return keyPolicy;
  return { ...keyPolicy, allowedIps: policy.defaultAllowedIps };
}

/** Whether any rule bounds keys' expiry. */
export const expiryRequired = (policy: Pick<OrganizationPolicy, "requireExpiry" | "maxKeyLifetimeDays">): boolean =>
  policy.requireExpiry || policy.maxKeyLifetimeDays !== null;

/** The latest expiry the policy allows for a key whose secret is issued at `now` (`null`: any). */
export function latestExpiry(policy: Pick<OrganizationPolicy, "maxKeyLifetimeDays">, now: Date): Date | null {
  return policy.maxKeyLifetimeDays === null ? null : new Date(now.getTime() + policy.maxKeyLifetimeDays * DAY_MS);
}

/**
 * Refuses a key secret issued at `now` (created or rotated) with `expiresAt` when the policy does
 * not allow it: BAD_USER_INPUT on `expiresAt`, naming the rule in the message and in `rule`.
 * `maxKeyLifetimeDays` implies an expiry: a key that never expires outlives any maximum.
 */
export function assertKeyExpiryAllowed(policy: OrganizationPolicy, expiresAt: Date | null, now = new Date()): void {
  const refuse = (message: string, rule: "requireExpiry" | "maxKeyLifetimeDays") =>
    new KeywardError("BAD_USER_INPUT", message, { field: "expiresAt", rule });
  const days = policy.maxKeyLifetimeDays;
  if (days !== null) {
    const latest = latestExpiry(policy, now)!;
    if (expiresAt === null || expiresAt > latest) {
      throw refuse(`This organization requires keys to expire within ${days} days (maxKeyLifetimeDays): set expiresAt no later than ${latest.toISOString()}.`, "maxKeyLifetimeDays");
    }
  }
  if (policy.requireExpiry && expiresAt === null) throw refuse("This organization requires keys to expire (requireExpiry): set expiresAt.", "requireExpiry");
}

/**
 * The expiry of a key Keyward issues without the caller choosing one (an agent's key, an
 * invitation's first key): none when the policy requires none, else the longest it allows
 * (`maxKeyLifetimeDays`, or `DEFAULT_REQUIRED_EXPIRY_DAYS` when only `requireExpiry` is set).
 */
export function defaultExpiry(policy: OrganizationPolicy, now = new Date()): Date | null {
  if (!expiryRequired(policy)) return null;
  return latestExpiry(policy, now) ?? new Date(now.getTime() + DEFAULT_REQUIRED_EXPIRY_DAYS * DAY_MS);
}

/**
 * Keys that break the policy as it is now: still usable (not revoked, not expired) and such that
 * issuing them today would be refused — no expiry where one is required, or an expiry beyond
 * `now + maxKeyLifetimeDays`. `null` when the policy bounds nothing (no key breaks it).
 */
export function violatingKeys(policy: Pick<OrganizationPolicy, "requireExpiry" | "maxKeyLifetimeDays">, now = new Date()): Prisma.ApiKeyWhereInput | null {
  if (!expiryRequired(policy)) return null;
  const latest = latestExpiry(policy, now);
  return { status: { not: "REVOKED" }, OR: latest ? [{ expiresAt: null }, { expiresAt: { gt: latest } }] : [{ expiresAt: null }] };
}

/** The same test as `violatingKeys`, for one key already read. */
export function violatesPolicy(
  policy: Pick<OrganizationPolicy, "requireExpiry" | "maxKeyLifetimeDays">,
  key: { status: string; expiresAt: Date | null },
  now = new Date(),
): boolean {
  if (!expiryRequired(policy) || key.status === "REVOKED") return false;
  if (key.expiresAt === null) return true;
  if (key.expiresAt <= now) return false;
  const latest = latestExpiry(policy, now);
  return latest !== null && key.expiresAt > latest;
}

/** What `updateOrganizationPolicy` was given: a field left out stays as it is, `null` clears it. */
export interface PolicyUpdate {
  maxKeyLifetimeDays?: number | null;
  requireExpiry?: boolean | null;
  disableUnusedAfterDays?: number | null;
  defaultAllowedIps?: readonly string[] | null;
}

function days(value: number | null | undefined, field: string): number | null | undefined {
  if (value == null) return value;
  if (!Number.isInteger(value) || value < 1 || value > POLICY_MAX_DAYS) throw badInput(`${field} must be from 1 to ${POLICY_MAX_DAYS} days.`, field);
  return value;
}

/** Checks the whole update before anything is written, so nothing is half-applied. */
export function validPolicyUpdate(input: PolicyUpdate): Prisma.OrganizationUpdateInput {
  const maxKeyLifetimeDays = days(input.maxKeyLifetimeDays, "maxKeyLifetimeDays");
  const disableUnusedAfterDays = days(input.disableUnusedAfterDays, "disableUnusedAfterDays");
  const defaultAllowedIps = input.defaultAllowedIps == null ? input.defaultAllowedIps : parseIpRanges(input.defaultAllowedIps, "defaultAllowedIps");
  const data: Prisma.OrganizationUpdateInput = {};
  if (maxKeyLifetimeDays !== undefined) data.maxKeyLifetimeDays = maxKeyLifetimeDays;
  if (input.requireExpiry !== undefined) data.requireExpiry = input.requireExpiry ?? false;
  if (disableUnusedAfterDays !== undefined) data.disableUnusedAfterDays = disableUnusedAfterDays;
  if (defaultAllowedIps !== undefined) data.defaultAllowedIps = defaultAllowedIps ?? [];
  return data;
}

/**
 * Changes an organization's policy (the row locked `FOR UPDATE`, so it waits for keys being
 * issued under the old one), audited `ORGANIZATION_POLICY_UPDATED` with what it was and is.
 * Existing keys are left as they are: `apiKeys(violatesPolicy: true)` lists those that break it.
 */
export async function updatePolicy(tx: Prisma.TransactionClient, actor: Actor, input: PolicyUpdate) {
  const data = validPolicyUpdate(input);
  const organizationId = actor.organizationId;
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "Organization" WHERE "id" = ${organizationId} FOR UPDATE`;
  if (locked.length === 0) throw notFound("Organization");
  const before = await tx.organization.findUniqueOrThrow({ where: { id: organizationId }, select: policySelect });
  const organization = await tx.organization.update({ where: { id: organizationId }, data });
  const after = pick(organization);
  if (JSON.stringify(pick(before)) !== JSON.stringify(after)) {
    await recordAudit(tx, actor, {
      action: "ORGANIZATION_POLICY_UPDATED",
      targetType: "Organization",
      targetId: organizationId,
      metadata: { before: pick(before), after } as unknown as Prisma.InputJsonObject,
    });
  }
  return organization;
}

export function pick(row: OrganizationPolicy): OrganizationPolicy {
  return {
    maxKeyLifetimeDays: row.maxKeyLifetimeDays,
    requireExpiry: row.requireExpiry,
    disableUnusedAfterDays: row.disableUnusedAfterDays,
    defaultAllowedIps: row.defaultAllowedIps ?? [],
  };
}

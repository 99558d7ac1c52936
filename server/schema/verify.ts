import { verificationLimits, type PolicyOutcome, type PolicyRefusal } from "../auth/policyChecks.ts";
import type { KeyLimitsOfRecord, KeySummary, KeyTenant, OrganizationKeyKind } from "../auth/principal.ts";
import { MAX_POLICY_NUMBER, validClientIp, validCost } from "../domain/keyPolicies.ts";
import type { RateLimitState } from "../infra/keyLimits.ts";
import type { Scope } from "../auth/scopes.ts";
import { builder } from "../builder.ts";
import type { Context } from "../context.ts";
import type { AuthFailureCode } from "../errors.ts";
import type { ApiKey as ApiKeyRow } from "../generated/prisma/client.ts";
import { ApiKey } from "./apiKey.ts";
import { selects } from "./selection.ts";
import { ApiKeyEnvironmentEnum, ApiKeyKindEnum, AuthFailureCodeEnum, ScopeEnum } from "./enums.ts";
import { MAX_KEY_PERMISSIONS, PERMISSION_NAME, validPermissionNames } from "../domain/permissions.ts";

/** Why a key was refused: authentication's codes, its own limits', or FORBIDDEN: a genuine key lacking a required permission. */
type VerificationCode = AuthFailureCode | PolicyRefusal | "FORBIDDEN";

interface VerifyResult {
  valid: boolean;
  code: VerificationCode | null;
  /** The key's id, when the caller may see it; its row is read only when `apiKey` is asked for. */
  apiKeyId: string | null;
  /** Already read (an organization's verification checks the row exists). */
  apiKey?: ApiKeyRow | null;
  scopes: Scope[];
  /** The key's own permissions (from memory); empty when the key itself is refused. */
  permissions: readonly string[];
  /** For a platform caller only: the key's organization, owner and metadata, from memory. */
  tenant: KeyTenant | null;
  /** The key itself as the verifier holds it, when the caller may see it. */
  key: KeySummary | null;
  rateLimit?: RateLimitState | null;
  credits?: { remaining: number } | null;
}

const VerifyApiKeyInput = builder.inputType("VerifyApiKeyInput", {
  fields: (t) => ({
    key: t.string({ required: true, description: "The full key your service was given." }),
    ip: t.string({ description: "The address your caller connected from: required for a key with allowedIps (none given: IP_NOT_ALLOWED)." }),
    cost: t.int({ description: `Credits this use spends from a key with credits (0–${MAX_POLICY_NUMBER}; 0 checks without spending). @default 1` }),
    requiredPermissions: t.stringList({
      description: `Permissions of your product the key must carry (at most ${MAX_KEY_PERMISSIONS}, each matching ${PERMISSION_NAME.source}): when one is missing, valid is false and code FORBIDDEN, with the rest of the answer as for a valid key, and nothing spent.`,
    }),
  }),
});

const VerifiedRateLimit = builder.objectRef<RateLimitState>("VerifiedRateLimit").implement({
  description: "Where a rate-limited key stands after this verification.",
  fields: (t) => ({
    limit: t.exposeInt("limit"),
    remaining: t.exposeInt("remaining", { description: "Uses left in the current window." }),
    resetAt: t.expose("resetAt", { type: "DateTime", description: "When the current window ends." }),
  }),
});

const VerifiedCredits = builder.objectRef<{ remaining: number }>("VerifiedCredits").implement({
  fields: (t) => ({ remaining: t.exposeInt("remaining", { description: "Credits left after this verification." }) }),
});

const VerifiedKey = builder.objectRef<KeySummary>("VerifiedKey").implement({
  description: "The verified key as Keyward holds it in memory: answering it reads nothing (apiKey reads the whole key).",
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    kind: t.field({ type: ApiKeyKindEnum, resolve: (key) => key.kind as OrganizationKeyKind }),
    environment: t.expose("environment", { type: ApiKeyEnvironmentEnum }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", nullable: true }),
  }),
});

const VerifiedOrganization = builder.objectRef<KeyTenant["organization"]>("VerifiedOrganization").implement({
  description: "The organization of a verified key, as a platform sees it.",
  fields: (t) => ({
    id: t.exposeID("id"),
    externalId: t.exposeString("externalId", { nullable: true }),
    name: t.exposeString("name"),
    metadata: t.field({ type: "JSONObject", nullable: true, resolve: (o) => (o.metadata ?? null) as Record<string, unknown> | null }),
  }),
});

const VerifiedOwner = builder.objectRef<NonNullable<KeyTenant["owner"]>>("VerifiedOwner").implement({
  description: "The person a verified PERSONAL key belongs to.",
  fields: (t) => ({
    id: t.exposeID("id"),
    email: t.exposeString("email"),
    externalId: t.exposeString("externalId", { nullable: true }),
  }),
});

const VerifyApiKeyPayload = builder.objectRef<VerifyResult>("VerifyApiKeyPayload").implement({
  fields: (t) => ({
    valid: t.exposeBoolean("valid"),
    code: t.expose("code", { type: AuthFailureCodeEnum, nullable: true, description: "Why not, when not valid." }),
    apiKey: t.prismaField({
      type: ApiKey,
      nullable: true,
      description:
        "The key, when it belongs to the caller's organization (a platform: to any organization), also when refused, e.g. revoked. Asking for it reads the key from the database; everything else is answered from memory when the key is warm.",
      resolve: (query, result, _args, { prisma }) =>
        result.apiKey !== undefined ? result.apiKey : result.apiKeyId ? prisma.apiKey.findUnique({ ...query, where: { id: result.apiKeyId } }) : null,
    }),
    key: t.field({
      type: VerifiedKey,
      nullable: true,
      description: "The key, answered from memory, when it belongs to the caller's organization (a platform: to any organization), also when refused, e.g. revoked.",
      resolve: (result) => result.key,
    }),
    scopes: t.expose("scopes", { type: [ScopeEnum], description: "What the key may do now in Keyward; empty when the key itself is refused." }),
    permissions: t.stringList({
      description: "The product's own permissions the key carries (see permissionCatalog); empty when the key itself is refused. Answered from memory when warm.",
      resolve: (result) => [...result.permissions],
    }),
    organization: t.field({
      type: VerifiedOrganization,
      nullable: true,
      description: "The key's organization: for a platform key holding PLATFORM_VERIFY (null for an organization's own key).",
      resolve: (result) => result.tenant?.organization ?? null,
    }),
    owner: t.field({
      type: VerifiedOwner,
      nullable: true,
      description: "The owner of a PERSONAL key, for a platform key (null for SERVICE keys and for an organization's own key).",
      resolve: (result) => result.tenant?.owner ?? null,
    }),
    metadata: t.field({
      type: "JSONObject",
      nullable: true,
      description: "The key's metadata (set by platform keys only), for a platform key.",
      resolve: (result) => (result.tenant?.metadata ?? null) as Record<string, unknown> | null,
    }),
    rateLimit: t.field({
      type: VerifiedRateLimit,
      nullable: true,
      description: "For a key with a rate limit: on every verification of a valid key (also when refused with IP_NOT_ALLOWED, RATE_LIMITED or USAGE_EXCEEDED).",
      resolve: (result) => result.rateLimit ?? null,
    }),
    credits: t.field({
      type: VerifiedCredits,
      nullable: true,
      description: "For a key with credits: what is left (after this verification's cost, or, when USAGE_EXCEEDED, unspent).",
      resolve: (result) => result.credits ?? null,
    }),
  }),
});

const MAX_KEY_INPUT = 512;

const refused = (code: VerificationCode, apiKeyId: string | null = null, key: KeySummary | null = null): VerifyResult => ({
  valid: false,
  code,
  apiKeyId,
  scopes: [],
  permissions: [],
  tenant: null,
  key,
});

/**
 * A platform verifying any organization's key: answered from the verifier's memory when warm
 * (organization, owner and metadata are in the key's cached record); the only write is the
 * batched usage. Platform keys themselves are no tenant's key: UNAUTHENTICATED here.
 */
async function verifyForPlatform(context: Context, key: string, use: Use): Promise<VerifyResult> {
  const result = await context.verifier.verify(key);
  if (!result.ok) return result.keyId && result.organizationId ? refused(result.code, result.keyId, result.summary) : refused("UNAUTHENTICATED");
  const { principal } = result;
  if (principal.kind === "PLATFORM") return refused("UNAUTHENTICATED");
  return genuine(
    context,
    { apiKeyId: principal.keyId, scopes: [...principal.scopes], permissions: result.permissions, tenant: result.tenant, key: result.summary },
    result.limits,
    use,
  );
}

/** What the product says about this use: where its caller is, and what it costs. */
interface Use {
  ip: string | null;
  cost: number;
  /** Permissions the product requires of the key. */
  required: readonly string[];
  /** The answer asks for `apiKey`: its row is read, and a key whose row is gone is no key. */
  readsRow: boolean;
}

const limitsOf = ({ rateLimit, credits }: PolicyOutcome) => ({ rateLimit, credits });

const refusedByPolicy = (code: PolicyRefusal, outcome: PolicyOutcome, apiKeyId: string, key: KeySummary | null): VerifyResult => ({
  ...refused(code, apiKeyId, key),
  ...limitsOf(outcome),
});

/**
 * A key the verifier (from memory when warm) found genuine. Only when the answer asks for
 * `apiKey` is its row read; a key deleted behind the cache (every deletion through Keyward reaches
 * every instance's cache at once) is then no key at all. Otherwise nothing is read.
 */
async function genuine(context: Context, found: Parameters<typeof decide>[1], limits: KeyLimitsOfRecord | null, use: Use): Promise<VerifyResult> {
  if (!use.readsRow) return decide(context, found, limits, use);
  const apiKey = await context.prisma.apiKey.findUnique({ where: { id: found.apiKeyId } });
  return apiKey ? decide(context, { ...found, apiKey }, limits, use) : refused("UNAUTHENTICATED");
}

/**
 * A genuine key's answer. A required permission missing: FORBIDDEN, with everything else as for a
 * valid key (so the product can log who), spending nothing. Then the key's own limits (allowlist,
 * rate limit, credits). Only a valid answer counts as a use.
 */
async function decide(
  { keyLimits, usage }: Context,
  found: Pick<VerifyResult, "apiKey" | "scopes" | "permissions" | "tenant" | "key"> & { apiKeyId: string },
  limits: KeyLimitsOfRecord | null,
  use: Use,
): Promise<VerifyResult> {
  if (use.required.length > 0) {
    const carried = new Set(found.permissions);
    if (use.required.some((p) => !carried.has(p))) return { ...found, valid: false, code: "FORBIDDEN" };
  }
  const limited = await verificationLimits(keyLimits, found.apiKeyId, limits, use.ip, use.cost);
  if (limited.code) return { ...refusedByPolicy(limited.code, limited, found.apiKeyId, found.key), ...(found.apiKey !== undefined ? { apiKey: found.apiKey } : {}) };
  usage.record(found.apiKeyId);
  return { ...found, valid: true, code: null, ...limitsOf(limited) };
}

builder.mutationField("verifyApiKey", (t) =>
  t.withAuth({ $any: { scope: "KEYS_VERIFY", platform: "PLATFORM_VERIFY" } }).field({
    type: VerifyApiKeyPayload,
    nullable: true,
    description:
      "For your services: is this key valid, and what may it do? Never fails for a bad key. An organization's key verifies its own organization's keys; a platform key holding PLATFORM_VERIFY verifies any organization's, and learns its organization, owner and metadata.",
    args: { input: t.arg({ type: VerifyApiKeyInput, required: true }) },
    resolve: async (_root, { input }, context, info) => {
      const use: Use = {
        ip: validClientIp(input.ip),
        cost: validCost(input.cost),
        required: input.requiredPermissions == null ? [] : validPermissionNames(input.requiredPermissions, "requiredPermissions"),
        readsRow: selects(info, "apiKey"),
      };
      if (input.key.length > MAX_KEY_INPUT) return refused("UNAUTHENTICATED");
      const { principal, verifier } = context;
      if (!principal) return verifyForPlatform(context, input.key.trim(), use);
      const result = await verifier.verify(input.key.trim());
      if (!result.ok) {
        // Keys of other organizations are unknown here, whatever their state.
        if (!result.keyId || result.organizationId !== principal.organizationId) return refused("UNAUTHENTICATED");
        return refused(result.code, result.keyId, result.summary);
      }
      if (result.principal.kind === "PLATFORM" || result.principal.organizationId !== principal.organizationId) return refused("UNAUTHENTICATED");
      return genuine(
        context,
        { apiKeyId: result.principal.keyId, scopes: [...result.principal.scopes], permissions: result.permissions, tenant: null, key: result.summary },
        result.limits,
        use,
      );
    },
  }),
);

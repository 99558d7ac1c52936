import { verificationLimits, type PolicyOutcome, type PolicyRefusal } from "../auth/policyChecks.ts";
import type { KeyTenant } from "../auth/principal.ts";
import { MAX_POLICY_NUMBER, validClientIp, validCost } from "../domain/keyPolicies.ts";
import type { RateLimitState } from "../infra/keyLimits.ts";
import type { Scope } from "../auth/scopes.ts";
import { builder } from "../builder.ts";
import type { Context } from "../context.ts";
import type { AuthFailureCode } from "../errors.ts";
import type { ApiKey as ApiKeyRow } from "../generated/prisma/client.ts";
import { ApiKey } from "./apiKey.ts";
import { AuthFailureCodeEnum, ScopeEnum } from "./enums.ts";

/** Why a key was refused: authentication's codes, and its own limits'. */
type VerificationCode = AuthFailureCode | PolicyRefusal;

interface VerifyResult {
  valid: boolean;
  code: VerificationCode | null;
  /** The key's id, when the caller may see it; its row is read only when `apiKey` is asked for. */
  apiKeyId: string | null;
  /** Already read (an organization's verification checks the row exists). */
  apiKey?: ApiKeyRow | null;
  scopes: Scope[];
  /** For a platform caller only: the key's organization, owner and metadata, from memory. */
  tenant: KeyTenant | null;
  rateLimit?: RateLimitState | null;
  credits?: { remaining: number } | null;
}

const VerifyApiKeyInput = builder.inputType("VerifyApiKeyInput", {
  fields: (t) => ({
    key: t.string({ required: true, description: "The full key your service was given." }),
    ip: t.string({ description: "The address your caller connected from: required for a key with allowedIps (none given: IP_NOT_ALLOWED)." }),
    cost: t.int({ description: `Credits this use spends from a key with credits (0–${MAX_POLICY_NUMBER}; 0 checks without spending). @default 1` }),
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
      description: "The key, when it belongs to the caller's organization (a platform: to any organization), also when refused, e.g. revoked.",
      resolve: (query, result, _args, { prisma }) =>
        result.apiKey !== undefined ? result.apiKey : result.apiKeyId ? prisma.apiKey.findUnique({ ...query, where: { id: result.apiKeyId } }) : null,
    }),
    scopes: t.expose("scopes", { type: [ScopeEnum], description: "What the key may do now; empty when not valid." }),
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

const refused = (code: VerificationCode, apiKeyId: string | null = null): VerifyResult => ({ valid: false, code, apiKeyId, scopes: [], tenant: null });

/**
 * A platform verifying any organization's key: answered from the verifier's memory when warm
 * (organization, owner and metadata are in the key's cached record); the only write is the
 * batched usage. Platform keys themselves are no tenant's key: UNAUTHENTICATED here.
 */
async function verifyForPlatform({ verifier, usage, keyLimits }: Context, key: string, use: Use): Promise<VerifyResult> {
  const result = await verifier.verify(key);
  if (!result.ok) return result.keyId && result.organizationId ? refused(result.code, result.keyId) : refused("UNAUTHENTICATED");
  const { principal } = result;
  if (principal.kind === "PLATFORM") return refused("UNAUTHENTICATED");
  const limited = await verificationLimits(keyLimits, principal.keyId, result.limits, use.ip, use.cost);
  if (limited.code) return refusedByPolicy(limited.code, limited, principal.keyId);
  usage.record(principal.keyId);
  return { valid: true, code: null, apiKeyId: principal.keyId, scopes: [...principal.scopes], tenant: result.tenant, ...limitsOf(limited) };
}

/** What the product says about this use: where its caller is, and what it costs. */
interface Use {
  ip: string | null;
  cost: number;
}

const limitsOf = ({ rateLimit, credits }: PolicyOutcome) => ({ rateLimit, credits });

const refusedByPolicy = (code: PolicyRefusal, outcome: PolicyOutcome, apiKeyId: string): VerifyResult => ({
  ...refused(code, apiKeyId),
  ...limitsOf(outcome),
});

builder.mutationField("verifyApiKey", (t) =>
  t.withAuth({ $any: { scope: "KEYS_VERIFY", platform: "PLATFORM_VERIFY" } }).field({
    type: VerifyApiKeyPayload,
    nullable: true,
    description:
      "For your services: is this key valid, and what may it do? Never fails for a bad key. An organization's key verifies its own organization's keys; a platform key holding PLATFORM_VERIFY verifies any organization's, and learns its organization, owner and metadata.",
    args: { input: t.arg({ type: VerifyApiKeyInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const use: Use = { ip: validClientIp(input.ip), cost: validCost(input.cost) };
      if (input.key.length > MAX_KEY_INPUT) return refused("UNAUTHENTICATED");
      const { prisma, principal, usage, verifier, keyLimits } = context;
      if (!principal) return verifyForPlatform(context, input.key.trim(), use);
      const result = await verifier.verify(input.key.trim());
      if (!result.ok) {
        // Keys of other organizations are unknown here, whatever their state.
        if (!result.keyId || result.organizationId !== principal.organizationId) return refused("UNAUTHENTICATED");
        return { ...refused(result.code, result.keyId), apiKey: await prisma.apiKey.findUnique({ where: { id: result.keyId } }) };
      }
      if (result.principal.kind === "PLATFORM" || result.principal.organizationId !== principal.organizationId) return refused("UNAUTHENTICATED");
      const apiKey = await prisma.apiKey.findUnique({ where: { id: result.principal.keyId } });
      // Deleted since it was verified (from memory): it is no key at all now.
      if (!apiKey) return refused("UNAUTHENTICATED");
      const limited = await verificationLimits(keyLimits, apiKey.id, result.limits, use.ip, use.cost);
      if (limited.code) return { ...refusedByPolicy(limited.code, limited, apiKey.id), apiKey };
      usage.record(result.principal.keyId);
      return { valid: true, code: null, apiKeyId: apiKey.id, apiKey, scopes: [...result.principal.scopes], tenant: null, ...limitsOf(limited) };
    },
  }),
);

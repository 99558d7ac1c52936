import type { KeyTenant } from "../auth/principal.ts";
import type { Scope } from "../auth/scopes.ts";
import { builder } from "../builder.ts";
import type { Context } from "../context.ts";
import type { AuthFailureCode } from "../errors.ts";
import type { ApiKey as ApiKeyRow } from "../generated/prisma/client.ts";
import { ApiKey } from "./apiKey.ts";
import { AuthFailureCodeEnum, ScopeEnum } from "./enums.ts";

interface VerifyResult {
  valid: boolean;
  code: AuthFailureCode | null;
  /** The key's id, when the caller may see it; its row is read only when `apiKey` is asked for. */
  apiKeyId: string | null;
  /** Already read (an organization's verification checks the row exists). */
  apiKey?: ApiKeyRow | null;
  scopes: Scope[];
  /** For a platform caller only: the key's organization, owner and metadata, from memory. */
  tenant: KeyTenant | null;
}

const VerifyApiKeyInput = builder.inputType("VerifyApiKeyInput", {
  fields: (t) => ({ key: t.string({ required: true, description: "The full key your service was given." }) }),
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
  }),
});

const MAX_KEY_INPUT = 512;

const refused = (code: AuthFailureCode, apiKeyId: string | null = null): VerifyResult => ({ valid: false, code, apiKeyId, scopes: [], tenant: null });

/**
 * A platform verifying any organization's key: answered from the verifier's memory when warm
 * (organization, owner and metadata are in the key's cached record); the only write is the
 * batched usage. Platform keys themselves are no tenant's key: UNAUTHENTICATED here.
 */
async function verifyForPlatform({ verifier, usage }: Context, key: string): Promise<VerifyResult> {
  const result = await verifier.verify(key);
  if (!result.ok) return result.keyId && result.organizationId ? refused(result.code, result.keyId) : refused("UNAUTHENTICATED");
  const { principal } = result;
  if (principal.kind === "PLATFORM") return refused("UNAUTHENTICATED");
  usage.record(principal.keyId);
  return { valid: true, code: null, apiKeyId: principal.keyId, scopes: [...principal.scopes], tenant: result.tenant };
}

builder.mutationField("verifyApiKey", (t) =>
  t.withAuth({ $any: { scope: "KEYS_VERIFY", platform: "PLATFORM_VERIFY" } }).field({
    type: VerifyApiKeyPayload,
    nullable: true,
    description:
      "For your services: is this key valid, and what may it do? Never fails for a bad key. An organization's key verifies its own organization's keys; a platform key holding PLATFORM_VERIFY verifies any organization's, and learns its organization, owner and metadata.",
    args: { input: t.arg({ type: VerifyApiKeyInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      if (input.key.length > MAX_KEY_INPUT) return refused("UNAUTHENTICATED");
      const { prisma, principal, usage, verifier } = context;
      if (!principal) return verifyForPlatform(context, input.key.trim());
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
      usage.record(result.principal.keyId);
      return { valid: true, code: null, apiKeyId: apiKey.id, apiKey, scopes: [...result.principal.scopes], tenant: null };
    },
  }),
);

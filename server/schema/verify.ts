import type { KeyTenant } from "../auth/principal.ts";
import type { Scope } from "../auth/scopes.ts";
import { builder } from "../builder.ts";
import type { Context } from "../context.ts";
import type { AuthFailureCode } from "../errors.ts";
import type { ApiKey as ApiKeyRow } from "../generated/prisma/client.ts";
import { ApiKey } from "./apiKey.ts";
import { AuthFailureCodeEnum, ScopeEnum } from "./enums.ts";
import { MAX_KEY_PERMISSIONS, PERMISSION_NAME, validPermissionNames } from "../domain/permissions.ts";

/** Why a verification says no: the key itself (the HTTP layer's code), or FORBIDDEN for a required permission it lacks. */
type VerifyCode = AuthFailureCode | "FORBIDDEN";

interface VerifyResult {
  valid: boolean;
  code: VerifyCode | null;
  /** The key's id, when the caller may see it; its row is read only when `apiKey` is asked for. */
  apiKeyId: string | null;
  /** Already read (an organization's verification checks the row exists). */
  apiKey?: ApiKeyRow | null;
  scopes: Scope[];
  /** The key's own permissions (from memory); empty when the key itself is refused. */
  permissions: readonly string[];
  /** For a platform caller only: the key's organization, owner and metadata, from memory. */
  tenant: KeyTenant | null;
}

const VerifyApiKeyInput = builder.inputType("VerifyApiKeyInput", {
  fields: (t) => ({
    key: t.string({ required: true, description: "The full key your service was given." }),
    requiredPermissions: t.stringList({
      description: `Permissions of your product the key must carry (at most ${MAX_KEY_PERMISSIONS}, each matching ${PERMISSION_NAME.source}): when one is missing, valid is false and code FORBIDDEN, with the rest of the answer as for a valid key.`,
    }),
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
      description: "The key, when it belongs to the caller's organization (a platform: to any organization), also when refused, e.g. revoked.",
      resolve: (query, result, _args, { prisma }) =>
        result.apiKey !== undefined ? result.apiKey : result.apiKeyId ? prisma.apiKey.findUnique({ ...query, where: { id: result.apiKeyId } }) : null,
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
  }),
});

const MAX_KEY_INPUT = 512;

const refused = (code: AuthFailureCode, apiKeyId: string | null = null): VerifyResult => ({
  valid: false,
  code,
  apiKeyId,
  scopes: [],
  permissions: [],
  tenant: null,
});

/**
 * A genuine key's answer: valid, or (a required permission missing) FORBIDDEN with everything
 * else as for a valid key, so the product can log who was refused. Only a valid answer counts as a use.
 */
function granted(context: Context, result: Omit<VerifyResult, "valid" | "code">, required: readonly string[]): VerifyResult {
  const carried = new Set(result.permissions);
  if (required.some((p) => !carried.has(p))) return { ...result, valid: false, code: "FORBIDDEN" };
  if (result.apiKeyId) context.usage.record(result.apiKeyId);
  return { ...result, valid: true, code: null };
}

/**
 * A platform verifying any organization's key: answered from the verifier's memory when warm
 * (organization, owner and metadata are in the key's cached record); the only write is the
 * batched usage. Platform keys themselves are no tenant's key: UNAUTHENTICATED here.
 */
async function verifyForPlatform(context: Context, key: string, required: readonly string[]): Promise<VerifyResult> {
  const result = await context.verifier.verify(key);
  if (!result.ok) return result.keyId && result.organizationId ? refused(result.code, result.keyId) : refused("UNAUTHENTICATED");
  const { principal } = result;
  if (principal.kind === "PLATFORM") return refused("UNAUTHENTICATED");
  return granted(context, { apiKeyId: principal.keyId, scopes: [...principal.scopes], permissions: result.permissions, tenant: result.tenant }, required);
}

builder.mutationField("verifyApiKey", (t) =>
  t.withAuth({ $any: { scope: "KEYS_VERIFY", platform: "PLATFORM_VERIFY" } }).field({
    type: VerifyApiKeyPayload,
    nullable: true,
    description:
      "For your services: is this key valid, and what may it do? Never fails for a bad key. An organization's key verifies its own organization's keys; a platform key holding PLATFORM_VERIFY verifies any organization's, and learns its organization, owner and metadata.",
    args: { input: t.arg({ type: VerifyApiKeyInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const required = input.requiredPermissions == null ? [] : validPermissionNames(input.requiredPermissions, "requiredPermissions");
      if (input.key.length > MAX_KEY_INPUT) return refused("UNAUTHENTICATED");
      const { prisma, principal, verifier } = context;
      if (!principal) return verifyForPlatform(context, input.key.trim(), required);
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
      return granted(context, { apiKeyId: apiKey.id, apiKey, scopes: [...result.principal.scopes], permissions: result.permissions, tenant: null }, required);
    },
  }),
);

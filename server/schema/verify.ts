import { builder } from "../builder.ts";
import type { AuthFailureCode } from "../errors.ts";
import type { ApiKey as ApiKeyRow } from "../generated/prisma/client.ts";
import { ApiKey } from "./apiKey.ts";
import { AuthFailureCodeEnum, ScopeEnum } from "./enums.ts";
import type { Scope } from "../auth/scopes.ts";

interface VerifyResult {
  valid: boolean;
  code: AuthFailureCode | null;
  apiKey: ApiKeyRow | null;
  scopes: Scope[];
}

const VerifyApiKeyInput = builder.inputType("VerifyApiKeyInput", {
  fields: (t) => ({ key: t.string({ required: true, description: "The full key your service was given." }) }),
});

const VerifyApiKeyPayload = builder.objectRef<VerifyResult>("VerifyApiKeyPayload").implement({
  fields: (t) => ({
    valid: t.exposeBoolean("valid"),
    code: t.expose("code", { type: AuthFailureCodeEnum, nullable: true, description: "Why not, when not valid." }),
    apiKey: t.expose("apiKey", {
      type: ApiKey,
      nullable: true,
      description: "The key, when it belongs to the caller's organization (also when refused, e.g. revoked).",
    }),
    scopes: t.expose("scopes", { type: [ScopeEnum], description: "What the key may do now; empty when not valid." }),
  }),
});

const MAX_KEY_INPUT = 512;

builder.mutationField("verifyApiKey", (t) =>
  t.withAuth({ scope: "KEYS_VERIFY" }).field({
    type: VerifyApiKeyPayload,
    nullable: true,
    description: "For your services: is this key valid, and what may it do? Never fails for a bad key.",
    args: { input: t.arg({ type: VerifyApiKeyInput, required: true }) },
    resolve: async (_root, { input }, { prisma, principal, usage, verifier }) => {
      const refused = (code: AuthFailureCode, apiKey: ApiKeyRow | null = null): VerifyResult => ({
        valid: false,
        code,
        apiKey,
        scopes: [],
      });
      if (input.key.length > MAX_KEY_INPUT) return refused("UNAUTHENTICATED");
      const result = await verifier.verify(input.key.trim());
      if (!result.ok) {
        // Keys of other organizations are unknown here, whatever their state.
        if (!result.keyId || result.organizationId !== principal.organizationId) return refused("UNAUTHENTICATED");
        return refused(result.code, await prisma.apiKey.findUnique({ where: { id: result.keyId } }));
      }
      if (result.principal.organizationId !== principal.organizationId) return refused("UNAUTHENTICATED");
      const apiKey = await prisma.apiKey.findUnique({ where: { id: result.principal.keyId } });
      // Deleted since it was verified (from memory): it is no key at all now.
      if (!apiKey) return refused("UNAUTHENTICATED");
      usage.record(result.principal.keyId);
      return { valid: true, code: null, apiKey, scopes: [...result.principal.scopes] };
    },
  }),
);

import { policySet, manageableKey } from "../domain/apiKeys.ts";
import { change } from "../domain/change.ts";
import {
  applied,
  loosenedParts,
  MAX_POLICY_NUMBER,
  MAX_WINDOW_SECONDS,
  policyData,
  policyOf,
  validPolicyChange,
  type CreditsPolicy,
  type RateLimitPolicy,
} from "../domain/keyPolicies.ts";
import { MAX_IP_RANGES } from "../domain/ipRanges.ts";
import { builder } from "../builder.ts";
import { badInput, forbidden } from "../errors.ts";
import { CreditRefillInterval, type ApiKey as ApiKeyRow } from "../generated/prisma/client.ts";
import { ApiKey } from "./apiKey.ts";

export const CreditRefillIntervalEnum = builder.enumType(CreditRefillInterval, {
  name: "CreditRefillInterval",
  description: "When credits go back to their refill amount: at the start of each UTC day or UTC month.",
});

export const RateLimitInput = builder.inputType("RateLimitInput", {
  description: "At most `limit` uses per `windowSeconds` (a fixed window, starting at the first use after the last one ended).",
  fields: (t) => ({
    limit: t.int({ required: true, description: `1–${MAX_POLICY_NUMBER}.` }),
    windowSeconds: t.int({ required: true, description: `1–${MAX_WINDOW_SECONDS} (one day).` }),
  }),
});

export const CreditsInput = builder.inputType("CreditsInput", {
  description: "Credits verifyApiKey spends (its `cost`, 1 by default); with none left, USAGE_EXCEEDED.",
  fields: (t) => ({
    remaining: t.int({ required: true, description: `0–${MAX_POLICY_NUMBER}.` }),
    refillAmount: t.int({ description: `0–${MAX_POLICY_NUMBER}; with refillInterval, what remaining goes back to at the start of each period.` }),
    refillInterval: t.field({ type: CreditRefillIntervalEnum, description: "With refillAmount." }),
  }),
});

/** The fields createApiKey and updateApiKey share. */
export const policyInputDescriptions = {
  allowedIps: `IPv4/IPv6 addresses and CIDR ranges (at most ${MAX_IP_RANGES}) the key may be used from; elsewhere it is refused with IP_NOT_ALLOWED. Empty or null: anywhere.`,
  rateLimit: "At most `limit` uses per `windowSeconds`: on Keyward's API 429 RATE_LIMITED, in verifyApiKey `code: RATE_LIMITED`.",
  credits: "Credits verifyApiKey spends; with too few left, `code: USAGE_EXCEEDED`.",
};

const ApiKeyRateLimit = builder.objectRef<RateLimitPolicy>("ApiKeyRateLimit").implement({
  fields: (t) => ({ limit: t.exposeInt("limit"), windowSeconds: t.exposeInt("windowSeconds") }),
});

const ApiKeyCredits = builder.objectRef<CreditsPolicy>("ApiKeyCredits").implement({
  fields: (t) => ({
    remaining: t.exposeInt("remaining", { description: "Credits left now (a refill due at the start of this period included)." }),
    refillAmount: t.exposeInt("refillAmount", { nullable: true }),
    refillInterval: t.expose("refillInterval", { type: CreditRefillIntervalEnum, nullable: true }),
  }),
});

const policySelect = {
  allowedIps: true,
  rateLimit: true,
  rateLimitWindowSeconds: true,
  creditsRemaining: true,
  creditsRefillAmount: true,
  creditsRefillInterval: true,
  creditsRefilledAt: true,
} as const;

builder.prismaObjectFields(ApiKey, (t) => ({
  allowedIps: t.stringList({
    nullable: true,
    description: "Where the key may be used from (normalized); null: anywhere.",
    select: { allowedIps: true },
    resolve: (key) => (key.allowedIps.length > 0 ? key.allowedIps : null),
  }),
  rateLimit: t.field({
    type: ApiKeyRateLimit,
    nullable: true,
    select: { rateLimit: true, rateLimitWindowSeconds: true },
    resolve: (key) => (key.rateLimit !== null && key.rateLimitWindowSeconds !== null ? { limit: key.rateLimit, windowSeconds: key.rateLimitWindowSeconds } : null),
  }),
  credits: t.field({
    type: ApiKeyCredits,
    nullable: true,
    select: { id: true, ...policySelect },
    resolve: (key, _args, { keyLimits }) => {
      const { credits } = policyOf(key);
      const pending = credits ? keyLimits.pendingCredits(key.id) : undefined;
      return credits && pending !== undefined ? { ...credits, remaining: pending } : credits;
    },
  }),
}));

const UpdateApiKeyInput = builder.inputType("UpdateApiKeyInput", {
  description: "A field left out stays as it is; null removes it.",
  fields: (t) => ({
    id: t.id({ required: true, description: "The key's id (`apiKey.id`, the public part of the key)." }),
    allowedIps: t.stringList({ description: policyInputDescriptions.allowedIps }),
    rateLimit: t.field({ type: RateLimitInput, description: policyInputDescriptions.rateLimit }),
    credits: t.field({ type: CreditsInput, description: `${policyInputDescriptions.credits} Setting credits sets remaining as given.` }),
  }),
});

const UpdateApiKeyPayload = builder.objectRef<{ apiKey: ApiKeyRow }>("UpdateApiKeyPayload").implement({
  fields: (t) => ({ apiKey: t.expose("apiKey", { type: ApiKey }) }),
});

builder.mutationField("updateApiKey", (t) =>
  t.withAuth({ scope: "KEYS_WRITE" }).field({
    type: UpdateApiKeyPayload,
    nullable: true,
    description:
      "Changes a key's limits (allowedIps, rateLimit, credits), from the next request on, on every instance. Whoever may manage the key may change them; a member may only tighten the limits on their own key (FORBIDDEN otherwise).",
    args: { input: t.arg({ type: UpdateApiKeyInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const requested = validPolicyChange({ allowedIps: input.allowedIps, rateLimit: input.rateLimit, credits: input.credits });
      // The embedded database's in-memory balance is written first and held until the change commits.
      const release = await context.keyLimits.holdCredits(String(input.id));
      return change(context, async (step) => {
        const key = await manageableKey(step, input.id);
        if (key.status === "REVOKED") throw badInput("This key is revoked; its limits no longer matter.", "id");
        const before = policyOf(key);
        const after = applied(before, requested);
        if (!step.caller.organizationWide) {
          const loosened = loosenedParts(before, after);
          if (loosened.length > 0) {
            throw forbidden(`Members may only tighten the limits on their keys, never loosen them; this would loosen ${loosened.join(", ")}. Ask an admin.`);
          }
        }
        if (Object.keys(requested).length === 0) return { apiKey: key };
        step.touch({ keyIds: [key.id] });
        const apiKey = await step.tx.apiKey.update({ where: { id: key.id }, data: policyData(requested) });
        await step.audit({
          action: "API_KEY_UPDATED",
          targetType: "ApiKey",
          targetId: key.id,
          metadata: { name: key.name, changed: Object.keys(requested), before: policySet(before), after: policySet(after) },
        });
        return { apiKey };
      }).finally(release);
    },
  }),
);

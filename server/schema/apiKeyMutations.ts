import { grantableScopes, issueKeyInChange, manageableKey, MAX_GRACE_SECONDS, ownerRole, rotateKey, usedInLast24Hours, validExpiry, validName, withinCaller } from "../domain/apiKeys.ts";
import { builder } from "../builder.ts";
import { change, platformChange, type ChangeStep } from "../domain/change.ts";
import { assertKeyExpiryAllowed, currentPolicy, underOrganizationPolicy } from "../domain/organizationPolicy.ts";
import { grantablePermissions } from "../domain/permissions.ts";
import { issueTenantKey } from "../domain/tenants.ts";
import type { Scope } from "../auth/scopes.ts";
import type { AuthenticatedContext } from "../context.ts";
import { badInput, forbidden, KeywardError } from "../errors.ts";
import type { ApiKey as ApiKeyRow, ApiKeyStatus, AuditAction } from "../generated/prisma/client.ts";
import { ApiKey } from "./apiKey.ts";
import { CreditsInput, policyInputDescriptions, RateLimitInput } from "./keyPolicies.ts";
import { validPolicyChange } from "../domain/keyPolicies.ts";
import { ApiKeyEnvironmentEnum, ApiKeyKindEnum, ScopeEnum } from "./enums.ts";

// One payload type per mutation (Relay's convention), so each can grow on its own.
const apiKeyPayload = (name: string) =>
  builder.objectRef<{ apiKey: ApiKeyRow }>(name).implement({
    fields: (t) => ({ apiKey: t.expose("apiKey", { type: ApiKey }) }),
  });

const secretPayload = (name: string) =>
  builder.objectRef<{ apiKey: ApiKeyRow; secret: string }>(name).implement({
    description: "A key with its full secret. The secret is shown here once and can never be read again.",
    fields: (t) => ({
      apiKey: t.expose("apiKey", { type: ApiKey }),
      secret: t.exposeString("secret", { description: "The full key. Store it now: Keyward keeps only its hash." }),
    }),
  });

const DeleteApiKeyPayload = builder.objectRef<{ deletedApiKeyId: string }>("DeleteApiKeyPayload").implement({
  fields: (t) => ({ deletedApiKeyId: t.exposeID("deletedApiKeyId") }),
});

const CreateApiKeyInput = builder.inputType("CreateApiKeyInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: "1–100 characters." }),
    environment: t.field({ type: ApiKeyEnvironmentEnum, defaultValue: "LIVE" }),
    kind: t.field({ type: ApiKeyKindEnum, defaultValue: "PERSONAL" }),
    scopes: t.field({
      type: [ScopeEnum],
      description:
        "Defaults to everything the calling key may do (none in an organization made by a platform, and none for a platform key's keys); asking for more is FORBIDDEN.",
    }),
    permissions: t.stringList({
      description: "The product's own permissions (at most 50 names from the organization's permission catalogue; see permissionCatalog). verifyApiKey reports them.",
    }),
    expiresAt: t.field({
      type: "DateTime",
      description: "In the future, within 10 years. Required (within maxKeyLifetimeDays) when the organization's policy says so.",
    }),
    organizationId: t.id({ description: "Platform keys only (required for them): the organization the key is for." }),
    ownerId: t.id({ description: "Platform keys only: the member a PERSONAL key belongs to." }),
    metadata: t.field({ type: "JSONObject", description: "Platform keys only: a JSON object (≤ 4 KB) returned by verifyApiKey to platforms." }),
    allowedIps: t.stringList({ description: policyInputDescriptions.allowedIps }),
    rateLimit: t.field({ type: RateLimitInput, description: policyInputDescriptions.rateLimit }),
    credits: t.field({ type: CreditsInput, description: policyInputDescriptions.credits }),
  }),
});
const KEY_ID = "The key's id (`apiKey.id`, the public part of the key).";
const RenameApiKeyInput = builder.inputType("RenameApiKeyInput", {
  fields: (t) => ({ id: t.id({ required: true, description: KEY_ID }), name: t.string({ required: true }) }),
});
const idInput = (name: string) =>
  builder.inputType(name, { fields: (t) => ({ id: t.id({ required: true, description: KEY_ID }) }) });
const DisableApiKeyInput = idInput("DisableApiKeyInput");
const EnableApiKeyInput = idInput("EnableApiKeyInput");
const RevokeApiKeyInput = idInput("RevokeApiKeyInput");
const DeleteApiKeyInput = builder.inputType("DeleteApiKeyInput", {
  fields: (t) => ({
    id: t.id({ required: true, description: KEY_ID }),
    confirm: t.boolean({
      defaultValue: false,
      description: "Required when the key was used in the last 24 hours.",
    }),
  }),
});
const RotateApiKeyInput = builder.inputType("RotateApiKeyInput", {
  fields: (t) => ({
    id: t.id({ required: true, description: KEY_ID }),
    gracePeriodSeconds: t.int({
      defaultValue: 0,
      description: `How long the old secret keeps working (0–${MAX_GRACE_SECONDS}).`,
    }),
    expiresAt: t.field({
      type: "DateTime",
      description:
        "A new expiry for the key (in the future, within 10 years); left out or null, it keeps its own. Needed when that one breaks the organization's policy (requireExpiry, maxKeyLifetimeDays).",
    }),
  }),
});

/**
/**
 * A new key's scopes when none are named: all the caller holds, except in an organization a
 * platform made, where Keyward's management scopes are opt-in (its keys are for the product's API).
 */
async function defaultScopes({ tx, caller }: ChangeStep): Promise<Scope[]> {
  const organization = await tx.organization.findUnique({ where: { id: caller.organizationId }, select: { createdByPlatform: true } });
  return organization?.createdByPlatform ? [] : [...caller.scopes];
}

/**
 * Moves a key between statuses, deciding on the locked row: no-op (and no event) when already
 * there, never out of REVOKED. The event records the move that actually happened.
 */
function transition(context: AuthenticatedContext, id: string | number, to: ApiKeyStatus, action: AuditAction) {
  return change(context, async (step) => {
    const key = await manageableKey(step, id);
    if (key.status === to) return { apiKey: key };
    if (key.status === "REVOKED") throw badInput("This key is revoked; revocation is permanent.", "id");
    step.touch({ keyIds: [key.id] });
    // Enabling again restarts the dormancy clock, so the dormant-key sweep does not disable it again at once.
    const apiKey = await step.tx.apiKey.update({ where: { id: key.id }, data: { status: to, ...(to === "ENABLED" ? { enabledAt: new Date() } : {}) } });
    await step.audit({ action, targetType: "ApiKey", targetId: key.id, metadata: { name: key.name, from: key.status, to } });
    return { apiKey };
  });
}

builder.mutationFields((t) => {
  const keysWrite = t.withAuth({ scope: "KEYS_WRITE" });
  return {
    createApiKey: t.withAuth({ $any: { scope: "KEYS_WRITE", platform: "PLATFORM_WRITE" } }).field({
      description:
        "Creates a key and returns its full secret, once. Without `scopes`, everything the calling key may do (none in an organization a platform made); never more. `permissions` are the product's own, from the organization's permission catalogue. PERSONAL (default) keys belong to the caller; SERVICE keys to the organization. A platform key (PLATFORM_WRITE) names `organizationId`, and `ownerId` (a member) for a PERSONAL key; its keys get only the `scopes` it names (none by default) and may carry `metadata`.",
      type: secretPayload("CreateApiKeyPayload"),
      nullable: true,
      args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
      resolve: async (_root, { input }, context) => {
        const name = validName(input.name);
        const expiresAt = validExpiry(input.expiresAt);
        const kind = input.kind ?? "PERSONAL";
        const policy = validPolicyChange({ allowedIps: input.allowedIps, rateLimit: input.rateLimit, credits: input.credits });
        if (!context.principal) {
          if (!context.platform) throw forbidden();
          if (input.organizationId == null) throw badInput("A platform key names the organization: pass organizationId.", "organizationId");
          const organizationId = String(input.organizationId);
          const ownerId = input.ownerId == null ? null : String(input.ownerId);
          const scopes = [...new Set(input.scopes ?? [])];
          return platformChange({ ...context, platform: context.platform }, (step) =>
            issueTenantKey(step, {
              organizationId,
              ownerId,
              kind,
              name,
              environment: input.environment ?? "LIVE",
              scopes,
              expiresAt,
              metadata: input.metadata ?? null,
              permissions: input.permissions ?? [],
              policy,
            }),
          );
        }
        if (input.organizationId != null || input.ownerId != null || input.metadata != null) {
          throw forbidden("Only platform keys set organizationId, ownerId or metadata.");
        }
        return change({ ...context, principal: context.principal, platform: null }, async (step) => {
          const { caller } = step;
          // A person with the ADMIN role: a service key may manage keys, not mint new organization credentials.
          if (kind === "SERVICE" && caller.role !== "ADMIN") throw forbidden("Only admins create SERVICE keys.");
          if (kind === "PERSONAL" && !caller.userId) {
            throw badInput("A service key has no user to own a personal key; pass kind: SERVICE.", "kind");
          }
          const requested = input.scopes ? grantableScopes(caller, input.scopes) : await defaultScopes(step);
          const permissions = await grantablePermissions(step.tx, caller.organizationId, input.permissions);
          return issueKeyInChange(step, {
            kind,
            ownerId: kind === "PERSONAL" ? caller.userId : null,
            name,
            environment: input.environment ?? "LIVE",
            scopes: requested,
            expiresAt,
            policy: await underOrganizationPolicy(step.tx, caller.organizationId, expiresAt, policy),
            permissions,
          });
        });
      },
    }),
    renameApiKey: keysWrite.field({
      description: "Renames a key; its secret and history stay as they are.",
      type: apiKeyPayload("RenameApiKeyPayload"),
      nullable: true,
      args: { input: t.arg({ type: RenameApiKeyInput, required: true }) },
      resolve: async (_root, { input }, context) => {
        const name = validName(input.name);
        return change(context, async (step) => {
          const key = await manageableKey(step, input.id);
          if (key.name === name) return { apiKey: key };
          step.touch({ keyIds: [key.id] });
          const apiKey = await step.tx.apiKey.update({ where: { id: key.id }, data: { name } });
          await step.audit({ action: "API_KEY_RENAMED", targetType: "ApiKey", targetId: key.id, metadata: { from: key.name, to: name } });
          return { apiKey };
        });
      },
    }),
    disableApiKey: keysWrite.field({
      type: apiKeyPayload("DisableApiKeyPayload"),
      nullable: true,
      description: "Refused from the next request on; can be enabled again.",
      args: { input: t.arg({ type: DisableApiKeyInput, required: true }) },
      resolve: (_root, { input }, context) => transition(context, input.id, "DISABLED", "API_KEY_DISABLED"),
    }),
    enableApiKey: keysWrite.field({
      description: "Accepted again from the next request on. A revoked key cannot be enabled.",
      type: apiKeyPayload("EnableApiKeyPayload"),
      nullable: true,
      args: { input: t.arg({ type: EnableApiKeyInput, required: true }) },
      resolve: (_root, { input }, context) => transition(context, input.id, "ENABLED", "API_KEY_ENABLED"),
    }),
    revokeApiKey: keysWrite.field({
      type: apiKeyPayload("RevokeApiKeyPayload"),
      nullable: true,
      description: "Permanent. The key stays listed (with status: REVOKED) for the record.",
      args: { input: t.arg({ type: RevokeApiKeyInput, required: true }) },
      resolve: (_root, { input }, context) => transition(context, input.id, "REVOKED", "API_KEY_REVOKED"),
    }),
    deleteApiKey: keysWrite.field({
      type: DeleteApiKeyPayload,
      nullable: true,
      description: "Removes the key for good. A key used in the last 24 hours needs `confirm: true`.",
      args: { input: t.arg({ type: DeleteApiKeyInput, required: true }) },
      resolve: async (_root, { input }, context) => {
        return change(context, async (step) => {
          const key = await manageableKey(step, input.id);
          const lastUsedAt = context.usage.lastUsedAt(key.id, key.lastUsedAt);
          if (!input.confirm && lastUsedAt && usedInLast24Hours(lastUsedAt)) {
            throw new KeywardError(
              "CONFIRMATION_REQUIRED",
              "This key was used in the last 24 hours; pass confirm: true to delete it anyway.",
              { lastUsedAt: lastUsedAt.toISOString() },
            );
          }
          step.touch({ keyIds: [key.id] });
          await step.tx.apiKey.delete({ where: { id: key.id } });
          await step.audit({
            action: "API_KEY_DELETED",
            targetType: "ApiKey",
            targetId: key.id,
            metadata: { name: key.name, status: key.status },
          });
          return { deletedApiKeyId: key.id };
        });
      },
    }),
    rotateApiKey: keysWrite.field({
      type: secretPayload("RotateApiKeyPayload"),
      nullable: true,
      description: "Same id, name, scopes, permissions and history; a new secret. The old secret works until the grace period ends. Only for a key that may do no more than the calling key (else FORBIDDEN).",
      args: { input: t.arg({ type: RotateApiKeyInput, required: true }) },
      resolve: async (_root, { input }, context) => {
        const grace = input.gracePeriodSeconds ?? 0;
        if (grace < 0 || grace > MAX_GRACE_SECONDS) {
          throw badInput(`gracePeriodSeconds must be from 0 to ${MAX_GRACE_SECONDS}.`, "gracePeriodSeconds");
        }
        const newExpiry = input.expiresAt == null ? undefined : (validExpiry(input.expiresAt) ?? undefined);
        return change(context, async (step) => {
          const key = await manageableKey(step, input.id);
          if (key.status === "REVOKED") throw badInput("A revoked key cannot be rotated.", "id");
          // The new secret is handed to the caller: it must not be a way to more than the caller holds.
          if (!withinCaller(step.caller, key, await ownerRole(step.tx, key))) {
            throw forbidden("This key may do more than the calling key; rotate it with a key that holds all it may do.");
          }
          // A new secret is a new key as far as the policy goes: it must not outlive what it allows.
          assertKeyExpiryAllowed(await currentPolicy(step.tx, step.caller.organizationId), newExpiry === undefined ? key.expiresAt : newExpiry);
          step.touch({ keyIds: [key.id] });
          return rotateKey(step.tx, step.actor, key, grace, new Date(), newExpiry);
        });
      },
    }),
  };
});

import { organizationKeyKinds } from "../auth/principal.ts";
import { platformScopeDescriptions, platformScopes } from "../auth/platformScopes.ts";
import { scopeDescriptions, scopes } from "../auth/scopes.ts";
import { builder } from "../builder.ts";
import { ApiKeyEnvironment, ApiKeyStatus, AuditAction, Role } from "../generated/prisma/enums.ts";

export const ScopeEnum = builder.enumType("Scope", {
  description: "A permission a key can carry. What a key may do is its scopes ∩ its owner's current role.",
  values: Object.fromEntries(scopes.map((s) => [s, { value: s, description: scopeDescriptions[s] }])) as {
    [S in (typeof scopes)[number]]: { value: S; description: string };
  },
});

export const PlatformScopeEnum = builder.enumType("PlatformScope", {
  description: "A permission only platform keys carry (an organization's key never can).",
  values: Object.fromEntries(platformScopes.map((s) => [s, { value: s, description: platformScopeDescriptions[s] }])) as {
    [S in (typeof platformScopes)[number]]: { value: S; description: string };
  },
});

export const RoleEnum = builder.enumType(Role, { name: "Role" });
// An organization's kinds: platform keys are a type of their own (PlatformKey).
export const ApiKeyKindEnum = builder.enumType("ApiKeyKind", {
  values: organizationKeyKinds,
  description: "PERSONAL keys belong to a user and follow their permissions; SERVICE keys belong to the organization.",
});
export const ApiKeyEnvironmentEnum = builder.enumType(ApiKeyEnvironment, { name: "ApiKeyEnvironment" });
export const ApiKeyStatusEnum = builder.enumType(ApiKeyStatus, {
  name: "ApiKeyStatus",
  description: "DISABLED keys can be enabled again; REVOKED is permanent.",
});
export const AuditActionEnum = builder.enumType(AuditAction, { name: "AuditAction" });

export const AuthFailureCodeEnum = builder.enumType("ApiKeyVerificationCode", {
  description:
    "Why a key was refused: the same code the HTTP layer answers with, one of the key's own limits (IP_NOT_ALLOWED, RATE_LIMITED, USAGE_EXCEEDED: its credits), or FORBIDDEN: a genuine key lacking a required permission.",
  values: ["UNAUTHENTICATED", "API_KEY_DISABLED", "API_KEY_REVOKED", "API_KEY_EXPIRED", "IP_NOT_ALLOWED", "RATE_LIMITED", "USAGE_EXCEEDED", "FORBIDDEN"] as const,
});

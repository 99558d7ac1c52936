import type { Role } from "../generated/prisma/client.ts";

export const scopes = [
  "ORG_READ",
  "ORG_WRITE",
  "MEMBERS_READ",
  "MEMBERS_WRITE",
  "KEYS_READ",
  "KEYS_WRITE",
  "KEYS_VERIFY",
  "AUDIT_READ",
] as const;

export type Scope = (typeof scopes)[number];

export const scopeDescriptions: Record<Scope, string> = {
  ORG_READ: "Read the organization.",
  ORG_WRITE: "Change the organization.",
  MEMBERS_READ: "List members and invitations.",
  MEMBERS_WRITE: "Invite, promote, demote and remove members.",
  KEYS_READ: "List and read API keys (members: only their own).",
  KEYS_WRITE: "Create, rename, disable, enable, rotate, revoke and delete API keys (members: only their own).",
  KEYS_VERIFY: "Verify API keys presented to your own services.",
  AUDIT_READ: "Read the audit log.",
};

/**
 * What a role may ever do. A key's effective scopes are its own scopes ∩ its owner's
 * role at request time, so demoting a person narrows their keys at once.
 * Members manage only their own keys; that narrowing is applied per key, not here.
 */
const roleScopes: Record<Role, ReadonlySet<Scope>> = {
  ADMIN: new Set(scopes),
  MEMBER: new Set<Scope>(["ORG_READ", "MEMBERS_READ", "KEYS_READ", "KEYS_WRITE", "KEYS_VERIFY"]),
};

export function scopesOfRole(role: Role): ReadonlySet<Scope> {
  return roleScopes[role];
}

export function isScope(value: string): value is Scope {
  return (scopes as readonly string[]).includes(value);
}

/** Stored scopes ∩ what the role allows (`null` role: an organization's SERVICE key, capped only by its scopes). */
export function effectiveScopes(stored: readonly string[], role: Role | null): Set<Scope> {
  const allowed = role ? roleScopes[role] : new Set(scopes);
  return new Set(stored.filter(isScope).filter((s) => allowed.has(s)));
}

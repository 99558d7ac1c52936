/**
 * What a platform key (kind PLATFORM: an operator's key, of no organization) may do. A separate
 * set from the organizations' scopes: an organization key can never carry these, and a platform
 * key carries only these, so neither ever gains the other's powers implicitly.
 */
export const platformScopes = ["PLATFORM_READ", "PLATFORM_WRITE", "PLATFORM_VERIFY"] as const;

export type PlatformScope = (typeof platformScopes)[number];

export const platformScopeDescriptions: Record<PlatformScope, string> = {
  PLATFORM_READ: "Read every organization, its members and keys, and the platform's audit log.",
  PLATFORM_WRITE: "Create, change and delete organizations, their members and keys, and platform keys.",
  PLATFORM_VERIFY: "Verify the keys of every organization.",
};

export function isPlatformScope(value: string): value is PlatformScope {
  return (platformScopes as readonly string[]).includes(value);
}

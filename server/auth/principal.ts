import type { ApiKeyEnvironment, ApiKeyKind, ApiKeyStatus, Role } from "../generated/prisma/client.ts";
import type { IpAllowlist } from "../domain/ipRanges.ts";
import type { RateLimitPolicy } from "../domain/keyPolicies.ts";
import type { PlatformScope } from "./platformScopes.ts";
import type { Scope } from "./scopes.ts";

/** The kinds of key an organization has (a PLATFORM key belongs to none). */
export type OrganizationKeyKind = Exclude<ApiKeyKind, "PLATFORM">;
export const organizationKeyKinds = ["PERSONAL", "SERVICE"] as const satisfies readonly OrganizationKeyKind[];

/** Who a request speaks for (a verified key, or a person signed in to the console), with its permissions as they are right now. */
export interface Principal {
  /** The key of this request; `null` for a console session, which acts as its user. */
  keyId: string | null;
  /** The console session (or embedded session) of this request; `null` for a key. */
  sessionId: string | null;
  /**
   * Set for the embedded key page's token (server/auth/embeddedSessions.ts): the one origin it
   * may be used from, which is also the only origin its responses are shared with (CORS).
   */
  embeddedOrigin?: string;
  /** The key's name; for a session, the person's email. */
  keyName: string;
  /** A session acts as its user: like a PERSONAL key holding every scope of the user's role. */
  kind: OrganizationKeyKind | "SESSION";
  environment: ApiKeyEnvironment;
  organizationId: string;
  /** The owner of a PERSONAL key; `null` for SERVICE keys, which belong to the organization. */
  userId: string | null;
  role: Role | null;
  /** Stored scopes ∩ the owner's current role. */
  scopes: ReadonlySet<Scope>;
  /** May act on every key of the organization: admins' keys and SERVICE keys. */
  organizationWide: boolean;
}

/** A principal a key makes (what verification gives). */
export interface KeyPrincipal extends Principal {
  keyId: string;
  sessionId: null;
  kind: OrganizationKeyKind;
}

/** A platform key's caller: no organization, no person, only platform scopes. */
export interface PlatformPrincipal {
  kind: "PLATFORM";
  keyId: string;
  keyName: string;
  scopes: ReadonlySet<PlatformScope>;
}

/** What `verifyApiKey` tells a platform about a tenant's key; kept in the key's record, so a warm answer reads no database. */
export interface KeyTenant {
  organization: { id: string; externalId: string | null; name: string; metadata: unknown };
  /** The owner of a PERSONAL key; `null` for SERVICE keys. */
  owner: { id: string; email: string; externalId: string | null } | null;
  metadata: unknown;
}

/** What verification needs to know about a key, kept in memory so a warm request touches no database. */
export interface KeyRecord {
  id: string;
  name: string;
  kind: ApiKeyKind;
  environment: ApiKeyEnvironment;
  /** `null` for a PLATFORM key (and only for one). */
  organizationId: string | null;
  ownerId: string | null;
  /** The owner's role in the key's organization; `null` when they are no longer a member. */
  ownerRole: Role | null;
  scopes: string[];
  /** The product's own permissions the key carries, reported by `verifyApiKey` from memory. */
  permissions: string[];
  status: ApiKeyStatus;
  /** SHA-256 of the secret (bytes, decoded once when the record is loaded). */
  secretHash: Buffer;
  previousSecretHash: Buffer | null;
  previousSecretExpiresAt: number | null;
  expiresAt: number | null;
  /** The key's organization and owner as a platform verifying it sees them; `null` for a PLATFORM key. */
  tenant: KeyTenant | null;
  /** The key's own limits, compiled once per cached record; `null` when it has none. */
  limits: KeyLimitsOfRecord | null;
  /** Memo of the principal this record grants (valid keys only). */
  principal?: KeyPrincipal | PlatformPrincipal;
  /** Memo of what `verifyApiKey` tells of the key itself, from memory. */
  summary?: KeySummary;
}

/** The key as a verification answers it from memory (`verifyApiKey`'s `key`). */
export interface KeySummary {
  id: string;
  name: string;
  kind: ApiKeyKind;
  environment: ApiKeyEnvironment;
  expiresAt: Date | null;
}

/** What the hot path needs of a key's policy (server/domain/keyPolicies.ts): a change replaces the record, and with it this. */
export interface KeyLimitsOfRecord {
  /** `null`: usable from anywhere. */
  allowlist: IpAllowlist | null;
  rateLimit: RateLimitPolicy | null;
  /** The key has credits, which verifyApiKey spends (the balance itself lives in the database). */
  credits: boolean;
}

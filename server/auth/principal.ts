import type { ApiKeyEnvironment, ApiKeyKind, ApiKeyStatus, Role } from "../generated/prisma/client.ts";
import type { Scope } from "./scopes.ts";

/** Who a request speaks for (a verified key, or a person signed in to the console), with its permissions as they are right now. */
export interface Principal {
  /** The key of this request; `null` for a console session, which acts as its user. */
  keyId: string | null;
  /** The console session of this request; `null` for a key. */
  sessionId: string | null;
  /** The key's name; for a session, the person's email. */
  keyName: string;
  /** A session acts as its user: like a PERSONAL key holding every scope of the user's role. */
  kind: ApiKeyKind | "SESSION";
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
  kind: ApiKeyKind;
}

/** What verification needs to know about a key, kept in memory so a warm request touches no database. */
export interface KeyRecord {
  id: string;
  name: string;
  kind: ApiKeyKind;
  environment: ApiKeyEnvironment;
  organizationId: string;
  ownerId: string | null;
  /** The owner's role in the key's organization; `null` when they are no longer a member. */
  ownerRole: Role | null;
  scopes: string[];
  status: ApiKeyStatus;
  /** SHA-256 of the secret (bytes, decoded once when the record is loaded). */
  secretHash: Buffer;
  previousSecretHash: Buffer | null;
  previousSecretExpiresAt: number | null;
  expiresAt: number | null;
  /** Memo of the principal this record grants (valid keys only). */
  principal?: KeyPrincipal;
}

import type { AuthFailureCode } from "../errors.ts";
import type { KeyCache } from "./cache.ts";
import type { KeyRecords } from "./keyRecords.ts";
import type { KeyLimitsOfRecord, KeyPrincipal, KeyRecord, KeySummary, KeyTenant, PlatformPrincipal } from "./principal.ts";
import { parseKey, secretMatches, type ParsedKey } from "./key.ts";
import { isPlatformScope } from "./platformScopes.ts";
import { effectiveScopes } from "./scopes.ts";

export type Verification =
  | { ok: true; principal: KeyPrincipal | PlatformPrincipal; tenant: KeyTenant | null; limits: KeyLimitsOfRecord | null; permissions: readonly string[]; summary: KeySummary }
  | { ok: false; code: AuthFailureCode; keyId?: string; organizationId?: string; summary?: KeySummary };

const UNAUTHENTICATED: Verification = { ok: false, code: "UNAUTHENTICATED" };

/**
 * parse → checksum → find by id (memory first) → constant-time hash comparison → status,
 * expiry, owner's membership. The secret is checked before anything about the key is
 * revealed, so knowing an id tells nothing.
 */
export class Verifier {
  /** Reads of a key in progress, and the cache epoch each began at. */
  #loading = new Map<string, { epoch: number; record: Promise<KeyRecord | null> }>();

  constructor(
    private readonly records: KeyRecords,
    readonly cache: KeyCache,
  ) {}

  /** Synchronous when the key is in memory (the common case), so a warm request awaits nothing. */
  verify(presented: string, now = Date.now()): Verification | Promise<Verification> {
    const parsed = parseKey(presented);
    return parsed ? this.verifyParsed(parsed, now) : UNAUTHENTICATED;
  }

  /** For a key already parsed (the authentication plugin parses it once, to throttle by its id). */
  verifyParsed(parsed: ParsedKey, now = Date.now()): Verification | Promise<Verification> {
    const cached = this.cache.get(parsed.id);
    if (cached !== undefined) return check(cached, parsed, now);
    return this.#load(parsed.id).then((record) => check(record, parsed, now));
  }

  /**
   * One read per key however many requests miss it at once (a restart, or a hot key whose entry
   * ended, would otherwise send every waiting request to the database). A request joins a read
   * only if nothing was invalidated since it began, so it never gets a state older than itself.
   */
  #load(id: string): Promise<KeyRecord | null> {
    const epoch = this.cache.epoch();
    const inFlight = this.#loading.get(id);
    if (inFlight && inFlight.epoch === epoch) return inFlight.record;
    const read = { epoch, record: this.records(id) };
    this.#loading.set(id, read);
    return read.record
      .then((record) => {
        this.cache.set(id, record, epoch);
        return record;
      })
      .finally(() => {
        if (this.#loading.get(id) === read) this.#loading.delete(id);
      });
  }
}

function check(key: KeyRecord | null, parsed: ParsedKey, now: number): Verification {
  if (!key || key.environment.toLowerCase() !== parsed.environment) return UNAUTHENTICATED;

  const current = secretMatches(parsed.secret, key.secretHash);
  const previous =
    key.previousSecretHash !== null &&
    key.previousSecretExpiresAt !== null &&
    key.previousSecretExpiresAt > now &&
    secretMatches(parsed.secret, key.previousSecretHash);
  if (!current && !previous) return UNAUTHENTICATED;

  // Built once per cached record: a change replaces the record, and with it these.
  key.summary ??= { id: key.id, name: key.name, kind: key.kind, environment: key.environment, expiresAt: key.expiresAt === null ? null : new Date(key.expiresAt) };
  const refused = (code: AuthFailureCode): Verification => ({ ok: false, code, keyId: key.id, organizationId: key.organizationId ?? undefined, summary: key.summary });
  if (key.status === "REVOKED") return refused("API_KEY_REVOKED");
  if (key.status === "DISABLED") return refused("API_KEY_DISABLED");
  if (key.expiresAt !== null && key.expiresAt <= now) return refused("API_KEY_EXPIRED");
  const role = key.kind === "PERSONAL" ? key.ownerRole : null;
  // A personal key never outlives its owner's place in the organization.
  if (key.kind === "PERSONAL" && role === null) return refused("API_KEY_REVOKED");

  key.principal ??= principalOf(key, role);
  return { ok: true, principal: key.principal, tenant: key.tenant, limits: key.limits, permissions: key.permissions, summary: key.summary };
}

function principalOf(key: KeyRecord, role: KeyPrincipal["role"]): KeyPrincipal | PlatformPrincipal {
  // A platform key carries only platform scopes; an organization key only organization scopes.
  if (key.kind === "PLATFORM" || key.organizationId === null) {
    return { kind: "PLATFORM", keyId: key.id, keyName: key.name, scopes: new Set(key.kind === "PLATFORM" ? key.scopes.filter(isPlatformScope) : []) };
  }
  return {
    keyId: key.id,
    sessionId: null,
    keyName: key.name,
    kind: key.kind,
    environment: key.environment,
    organizationId: key.organizationId,
    userId: key.kind === "PERSONAL" ? key.ownerId : null,
    role,
    scopes: effectiveScopes(key.scopes, role),
    organizationWide: key.kind === "SERVICE" || role === "ADMIN",
  };
}

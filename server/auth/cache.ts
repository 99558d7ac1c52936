import type { ApiKeyEnvironment, ApiKeyKind, ApiKeyStatus, Role } from "../generated/prisma/client.ts";
import type { Principal } from "./verify.ts";

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
  secretHash: string;
  previousSecretHash: string | null;
  previousSecretExpiresAt: number | null;
  expiresAt: number | null;
  /** Memo of the principal this record grants (valid keys only). */
  principal?: Principal;
}

interface Entry {
  /** `null`: no such key (cached briefly, so floods of made-up ids stay off the database). */
  record: KeyRecord | null;
  expires: number;
}

export interface KeyCacheOptions {
  /** @default 50_000 */
  maxEntries?: number;
  /** Safety net should a change notification ever be lost. @default 60_000 */
  ttlMs?: number;
  /** @default 5_000 */
  negativeTtlMs?: number;
}

/**
 * A bounded LRU of verified keys by public id. Every change that can refuse or narrow a key
 * invalidates it here (locally at once, on other instances through LISTEN/NOTIFY).
 *
 * Fills are guarded by an epoch: a database read that started before an invalidation is not
 * stored, so a request racing a revocation can never put the old state back.
 */
export class KeyCache {
  #entries = new Map<string, Entry>();
  #epoch = 0;
  readonly maxEntries: number;
  readonly ttlMs: number;
  readonly negativeTtlMs: number;
  hits = 0;
  misses = 0;

  constructor(options: KeyCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 50_000;
    this.ttlMs = options.ttlMs ?? 60_000;
    this.negativeTtlMs = options.negativeTtlMs ?? 5_000;
  }

  /** `undefined`: not cached; `null`: known not to exist. */
  get(id: string, now = Date.now()): KeyRecord | null | undefined {
    const entry = this.#entries.get(id);
    if (!entry || entry.expires <= now) {
      if (entry) this.#entries.delete(id);
      this.misses++;
      return undefined;
    }
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    this.hits++;
    return entry.record;
  }

  /** Call before reading the database; pass the result to `set`. */
  epoch(): number {
    return this.#epoch;
  }

  set(id: string, record: KeyRecord | null, epochAtRead: number, now = Date.now()): void {
    if (epochAtRead !== this.#epoch) return;
    this.#entries.delete(id);
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(id, { record, expires: now + (record ? this.ttlMs : this.negativeTtlMs) });
  }

  invalidateKeys(ids: Iterable<string>): void {
    this.#epoch++;
    for (const id of ids) this.#entries.delete(id);
  }

  /** A person's role changed or they left: every key they own may now be narrower or refused. */
  invalidateUsers(userIds: Iterable<string>): void {
    this.#epoch++;
    const users = new Set(userIds);
    if (users.size === 0) return;
    for (const [id, entry] of this.#entries) {
      if (entry.record?.ownerId && users.has(entry.record.ownerId)) this.#entries.delete(id);
    }
  }

  clear(): void {
    this.#epoch++;
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}

import type { KeyRecord } from "./principal.ts";

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
 * Fills are guarded by epochs: a database read that started before an invalidation of *its*
 * key, of its owner, or of everything is not stored, so a request racing a revocation can never
 * put the old state back. Invalidations of other keys (frequent on a busy multi-instance
 * deployment, where every instance hears every change) leave the fill alone.
 */
export class KeyCache {
  #entries = new Map<string, Entry>();
  #epoch = 0;
  /** Epoch of the last `clear`. */
  #clearedAt = 0;
  /** Epoch of the latest invalidation of each key (`k:<id>`) and owner (`u:<id>`), oldest first. */
  #invalidatedAt = new Map<string, number>();
  /** Marks older than this were forgotten; a read that began before it is not trusted. */
  #forgottenBelow = 0;
  /** Changes from other instances cannot be heard: nothing is kept, every key is read fresh. */
  #suspended = false;
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

  /** The cached record, if any, without counting a hit or refreshing its place. */
  peek(id: string, now = Date.now()): KeyRecord | null | undefined {
    const entry = this.#entries.get(id);
    return entry && entry.expires > now ? entry.record : undefined;
  }

  /** Call before reading the database; pass the result to `set`. */
  epoch(): number {
    return this.#epoch;
  }

  set(id: string, record: KeyRecord | null, epochAtRead: number, now = Date.now()): void {
    if (this.#suspended || this.#changedSince(epochAtRead, id, record?.ownerId ?? null)) return;
    this.#entries.delete(id);
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(id, { record, expires: now + (record ? this.ttlMs : this.negativeTtlMs) });
  }

  invalidateKeys(ids: Iterable<string>): void {
    const epoch = ++this.#epoch;
    for (const id of ids) {
      this.#entries.delete(id);
      this.#mark(`k:${id}`, epoch);
    }
  }

  /** A person's role changed or they left: every key they own may now be narrower or refused. */
  invalidateUsers(userIds: Iterable<string>): void {
    const epoch = ++this.#epoch;
    const users = new Set(userIds);
    if (users.size === 0) return;
    for (const user of users) this.#mark(`u:${user}`, epoch);
    for (const [id, entry] of this.#entries) {
      if (entry.record?.ownerId && users.has(entry.record.ownerId)) this.#entries.delete(id);
    }
  }

  clear(): void {
    this.#clearedAt = ++this.#epoch;
    this.#entries.clear();
    this.#invalidatedAt.clear();
    this.#forgottenBelow = 0;
  }

  /** Until `resume`, keeps nothing: a change made elsewhere meanwhile could not be heard. */
  suspend(): void {
    this.#suspended = true;
    this.clear();
  }

  /** Changes are heard again; what was read before now is not trusted. */
  resume(): void {
    this.#suspended = false;
    this.clear();
  }

  get size(): number {
    return this.#entries.size;
  }

  #changedSince(epochAtRead: number, id: string, ownerId: string | null): boolean {
    if (epochAtRead < this.#clearedAt || epochAtRead < this.#forgottenBelow) return true;
    if ((this.#invalidatedAt.get(`k:${id}`) ?? 0) > epochAtRead) return true;
    return ownerId !== null && (this.#invalidatedAt.get(`u:${ownerId}`) ?? 0) > epochAtRead;
  }

  #mark(subject: string, epoch: number): void {
    this.#invalidatedAt.delete(subject);
    this.#invalidatedAt.set(subject, epoch);
    // Reads take milliseconds; only marks newer than the oldest read in flight matter. Forgetting
    // the oldest half is safe: a read older than what was forgotten is simply not stored.
    if (this.#invalidatedAt.size <= MAX_MARKS) return;
    let drop = this.#invalidatedAt.size / 2;
    for (const [key, at] of this.#invalidatedAt) {
      if (drop-- <= 0) break;
      this.#invalidatedAt.delete(key);
      this.#forgottenBelow = Math.max(this.#forgottenBelow, at);
    }
  }
}

const MAX_MARKS = 10_000;

import type { PrismaClient } from "../generated/prisma/client.ts";

interface Pending {
  lastUsedAt: Date;
  /** UTC day (YYYY-MM-DD) → requests. */
  days: Map<string, number>;
}

/**
 * Authentication never writes to the database: each use is counted here and written in
 * batches (forward-only `lastUsedAt`, daily counts). Reads on this instance merge in what is
 * not flushed yet, so a key used a second ago is never reported unused.
 */
export class UsageTracker {
  #pending = new Map<string, Pending>();
  /** The batch being written, still visible to reads until the write commits. */
  #inFlight = new Map<string, Pending>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(private readonly prisma: PrismaClient) {}

  /** On the hot path of every authenticated request: a map update, no I/O. */
  record(keyId: string, at = new Date()): void {
    const entry = this.#pending.get(keyId);
    if (!entry) {
      this.#pending.set(keyId, { lastUsedAt: at, days: new Map([[utcDay(at), 1]]) });
      return;
    }
    if (at > entry.lastUsedAt) entry.lastUsedAt = at;
    const day = utcDay(at);
    entry.days.set(day, (entry.days.get(day) ?? 0) + 1);
  }

  /** The later of the stored time and what this instance saw but has not flushed. */
  lastUsedAt(keyId: string, stored: Date | null): Date | null {
    return [this.#pending.get(keyId)?.lastUsedAt, this.#inFlight.get(keyId)?.lastUsedAt, stored].reduce<Date | null>(
      (latest, t) => (t && (!latest || t > latest) ? t : latest),
      null,
    );
  }

  /** Keys used on this instance since the last flush at or after `since`. */
  usedSince(since: Date): string[] {
    const ids = new Set<string>();
    for (const map of [this.#pending, this.#inFlight]) {
      for (const [id, p] of map) if (p.lastUsedAt >= since) ids.add(id);
    }
    return [...ids];
  }

  /** Daily counts seen on this instance and not yet in the database (UTC day → count). */
  pendingDays(keyId: string): Map<string, number> {
    const days = new Map<string, number>();
    for (const map of [this.#pending, this.#inFlight]) {
      for (const [day, n] of map.get(keyId)?.days ?? []) days.set(day, (days.get(day) ?? 0) + n);
    }
    return days;
  }

  start(intervalMs: number): void {
    this.stop();
    this.#timer = setInterval(() => void this.flush().catch(() => undefined), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Writes everything pending; on failure the counts are kept for the next attempt. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async #write(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#inFlight = batch;
    try {
      const ids = [...batch.keys()];
      const times = [...batch.values()].map((p) => sqlTimestamp(p.lastUsedAt));
      const dayIds: string[] = [];
      const days: string[] = [];
      const counts: number[] = [];
      for (const [id, p] of batch) {
        for (const [day, n] of p.days) {
          dayIds.push(id);
          days.push(day);
          counts.push(n);
        }
      }
      await this.prisma.$transaction([
        this.prisma.$executeRawUnsafe(
          `UPDATE "ApiKey" AS k SET "lastUsedAt" = GREATEST(COALESCE(k."lastUsedAt", u.t), u.t)
           FROM unnest($1::text[], $2::timestamp(3)[]) AS u(id, t) WHERE k.id = u.id`,
          ids,
          times,
        ),
        this.prisma.$executeRawUnsafe(
          `INSERT INTO "ApiKeyUsageDay" ("apiKeyId", "day", "count")
           SELECT u.id, u.day, u.n FROM unnest($1::text[], $2::date[], $3::int[]) AS u(id, day, n)
           WHERE EXISTS (SELECT 1 FROM "ApiKey" k WHERE k.id = u.id)
           ON CONFLICT ("apiKeyId", "day") DO UPDATE SET "count" = "ApiKeyUsageDay"."count" + EXCLUDED."count"`,
          dayIds,
          days,
          counts,
        ),
      ]);
    } catch (error) {
      for (const [id, p] of batch) this.#merge(id, p);
      throw error;
    } finally {
      this.#inFlight = new Map();
    }
  }

  #merge(keyId: string, older: Pending): void {
    const current = this.#pending.get(keyId);
    if (!current) {
      this.#pending.set(keyId, older);
      return;
    }
    if (older.lastUsedAt > current.lastUsedAt) current.lastUsedAt = older.lastUsedAt;
    for (const [day, n] of older.days) current.days.set(day, (current.days.get(day) ?? 0) + n);
  }
}

/** A UTC day, the unit usage is counted in. */
export const DAY_MS = 86_400_000;

let lastDay = { start: 0, end: 0, text: "" };

/** `YYYY-MM-DD` of a time, formatted once per UTC day rather than once per request. */
function utcDay(at: Date): string {
  const t = at.getTime();
  if (t < lastDay.start || t >= lastDay.end) {
    const start = t - (t % DAY_MS);
    lastDay = { start, end: start + DAY_MS, text: at.toISOString().slice(0, 10) };
  }
  return lastDay.text;
}

/** Prisma stores DateTime as UTC `timestamp(3)`; this is the literal for it. */
export function sqlTimestamp(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}

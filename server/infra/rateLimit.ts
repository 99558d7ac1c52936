import { KeywardError } from "../errors.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";

/** Counts attempts per client and refuses one that went over its limit (429 + Retry-After). */
export interface Limiter {
  /** Attempts allowed per window. */
  readonly limit: number;
  readonly windowMs: number;
  /** Throws RATE_LIMITED while `client` is over the limit. */
  assertAllowed(client: string): void | Promise<void>;
  /** What this process already knows, without asking anyone: ms until `client` may try again (0: not known to be over). */
  knownBlockMs(client: string): number;
  /** Counts one attempt (for most limiters: one failure); true when this one reached the limit. */
  fail(client: string): boolean | Promise<boolean>;
}

export function rateLimited(retryAfterSeconds: number, what = "Too many attempts"): KeywardError {
  const retryAfter = Math.max(1, Math.ceil(retryAfterSeconds));
  return new KeywardError(
    "RATE_LIMITED",
    `${what}; try again in ${retryAfter} s.`,
    { retryAfterSeconds: retryAfter },
    { "Retry-After": String(retryAfter) },
  );
}

/** In-process sliding window: one Keyward on its own (and the embedded database). */
export class FailureLimiter implements Limiter {
  #failures = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    /** Bounds memory under a flood of distinct clients. */
    readonly maxClients = 100_000,
  ) {}

  knownBlockMs(client: string, now = Date.now()): number {
    const recent = this.#recent(client, now);
    return recent.length >= this.limit ? recent[0]! + this.windowMs - now : 0;
  }

  assertAllowed(client: string, now = Date.now()): void {
    const recent = this.#recent(client, now);
    if (recent.length >= this.limit) throw rateLimited((recent[0]! + this.windowMs - now) / 1000);
  }

  fail(client: string, now = Date.now()): boolean {
    if (!this.#failures.has(client) && this.#failures.size >= this.maxClients) {
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
    const failures = [...this.#recent(client, now), now];
    this.#failures.set(client, failures);
    return failures.length === this.limit;
  }

  #recent(client: string, now: number): number[] {
    const times = (this.#failures.get(client) ?? []).filter((t) => t > now - this.windowMs);
    if (times.length === 0) this.#failures.delete(client);
    return times;
  }
}

const SLICES = 10;

/**
 * The same limit shared by every instance on one PostgreSQL: counts live in
 * `RateLimitCounter` in tenths of the window. Only attempts that count are written; once a
 * client is over the limit, this instance answers it from memory until the window frees up,
 * so a flood costs the database at most `limit` writes per client and window.
 */
export class SharedFailureLimiter implements Limiter {
  #blockedUntil = new Map<string, number>();
  readonly #slice: number;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly scope: string,
    readonly limit: number,
    readonly windowMs: number,
  ) {
    this.#slice = Math.max(1, Math.floor(windowMs / SLICES));
  }

  knownBlockMs(client: string, now = Date.now()): number {
    return Math.max(0, (this.#blockedUntil.get(client) ?? 0) - now);
  }

  async assertAllowed(client: string, now = Date.now()): Promise<void> {
    const until = this.#blockedUntil.get(client);
    if (until !== undefined && until > now) throw rateLimited((until - now) / 1000);
    this.#blockedUntil.delete(client);
    const rows = await this.prisma.rateLimitCounter.findMany({
      where: { key: this.#key(client), windowStart: { gt: new Date(now - this.windowMs) } },
      orderBy: { windowStart: "asc" },
    });
    let total = rows.reduce((sum, row) => sum + row.count, 0);
    if (total < this.limit) return;
    // Free again once enough of the oldest slices have left the window.
    let freeAt = now + this.#slice;
    for (const row of rows) {
      total -= row.count;
      freeAt = row.windowStart.getTime() + this.windowMs;
      if (total < this.limit) break;
    }
    if (this.#blockedUntil.size > 100_000) this.#blockedUntil.clear();
    this.#blockedUntil.set(client, freeAt);
    throw rateLimited((freeAt - now) / 1000);
  }

  async fail(client: string, now = Date.now()): Promise<boolean> {
    const windowStart = new Date(now - (now % this.#slice));
    const key = this.#key(client);
    // The count, and the window's total once this one is in, in one round trip.
    const [row] = await this.prisma.$queryRaw<Array<{ total: bigint }>>`
      WITH counted AS (
        INSERT INTO "RateLimitCounter" ("key", "windowStart", "count") VALUES (${key}, ${windowStart}, 1)
        ON CONFLICT ("key", "windowStart") DO UPDATE SET "count" = "RateLimitCounter"."count" + 1
        RETURNING "windowStart", "count")
      SELECT (SELECT "count" FROM counted) + COALESCE((
        SELECT sum("count") FROM "RateLimitCounter"
        WHERE "key" = ${key} AND "windowStart" > ${new Date(now - this.windowMs)} AND "windowStart" <> (SELECT "windowStart" FROM counted)
      ), 0) AS total`;
    if (Math.random() < 0.01) {
      await this.prisma.rateLimitCounter.deleteMany({ where: { windowStart: { lt: new Date(now - 2 * this.windowMs) } } });
    }
    return Number(row?.total ?? 0) === this.limit;
  }

  #key(client: string): string {
    return `${this.scope}:${client}`;
  }
}

export interface RateLimits {
  /** Failed `acceptInvitation` codes per client address. */
  invitations: Limiter;
  /** `signUp` attempts per client address. */
  signUps: Limiter;
  /** Failed authentications per client address: over the limit, its failures get 429 (valid keys still pass). */
  authByClient: Limiter;
  /** Wrong secrets for one key id: over the limit, wrong secrets get 429 (the right one still works). */
  authByKeyId: Limiter;
}

const limits = {
  invitations: [10, 15 * 60_000],
  signUps: [10, 60 * 60_000],
  authByClient: [30, 60_000],
  authByKeyId: [10, 60_000],
} as const;

/** In memory for one process; in PostgreSQL (`shared`) when several instances serve one database. */
export function defaultRateLimits(prisma?: PrismaClient): RateLimits {
  const make = (name: keyof typeof limits): Limiter => {
    const [limit, windowMs] = limits[name];
    return prisma ? new SharedFailureLimiter(prisma, name, limit, windowMs) : new FailureLimiter(limit, windowMs);
  };
  return { invitations: make("invitations"), signUps: make("signUps"), authByClient: make("authByClient"), authByKeyId: make("authByKeyId") };
}

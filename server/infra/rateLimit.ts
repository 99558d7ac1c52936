import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { KeywardError } from "../errors.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { postgresLimiter } from "./keyLimits.ts";

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

/**
 * Failures counted with rate-limiter-flexible: FIXED windows of `windowMs`, each starting at a
 * client's first failure after the previous one ended (at most `limit` failures count in one; a
 * client over the limit waits for its window to end). Once over, this instance answers the
 * client from memory (`knownBlockMs`) until then.
 */
abstract class FlexibleFailureLimiter implements Limiter {
  #blockedUntil = new Map<string, number>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly limiter: RateLimiterAbstract,
  ) {}

  knownBlockMs(client: string, now = Date.now()): number {
    const until = this.#blockedUntil.get(client);
    if (until === undefined) return 0;
    if (until > now) return until - now;
    this.#blockedUntil.delete(client);
    return 0;
  }

  async assertAllowed(client: string): Promise<void> {
    const known = this.knownBlockMs(client);
    if (known > 0) throw rateLimited(known / 1000);
    const res = await this.limiter.get(client);
    if (res && res.consumedPoints >= this.limit) throw rateLimited(this.#block(client, res) / 1000);
  }

  async fail(client: string): Promise<boolean> {
    let res: RateLimiterRes;
    try {
      res = await this.limiter.consume(client);
    } catch (refused) {
      if (!(refused instanceof RateLimiterRes)) throw refused;
      res = refused;
    }
    if (res.consumedPoints >= this.limit) this.#block(client, res);
    return res.consumedPoints === this.limit;
  }

  /** Remembers until when `client` is over the limit; returns the ms left. */
  #block(client: string, res: RateLimiterRes): number {
    const ms = Math.max(1, res.msBeforeNext);
    if (this.#blockedUntil.size >= 100_000) this.#blockedUntil.clear();
    this.#blockedUntil.set(client, Date.now() + ms);
    return ms;
  }
}

/** One Keyward on its own (and the embedded database): counts in memory (RateLimiterMemory). */
export class FailureLimiter extends FlexibleFailureLimiter {
  constructor(limit: number, windowMs: number) {
    super(limit, windowMs, new RateLimiterMemory({ points: limit, duration: windowMs / 1000 }));
  }
}

/**
 * The same limit shared by every instance on one PostgreSQL: rate-limiter-flexible's
 * RateLimiterPostgres in the `RateLimiterFlexible` table (through Keyward's own connection pool;
 * one upsert per counted failure). Only failures are written; a client over its limit is then
 * answered from memory until its window ends, so a flood costs the database at most `limit`
 * writes per client and window.
 */
export class SharedFailureLimiter extends FlexibleFailureLimiter {
  constructor(prisma: PrismaClient, scope: string, limit: number, windowMs: number) {
    super(limit, windowMs, postgresLimiter(prisma, { keyPrefix: `auth:${scope}`, points: limit, duration: windowMs / 1000 }));
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

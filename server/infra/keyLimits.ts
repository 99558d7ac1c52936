import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { RateLimitPolicy } from "../domain/keyPolicies.ts";
import { CreditLedger, type CreditsSpend } from "./creditLedger.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { PostgresKeyUse } from "./postgresKeyUse.ts";

/** What a verification's use did: its rate limit's state and its credits (`null`: the key has none, or the limit refused first). */
export interface KeyUse {
  rateLimit: RateLimitState | null;
  credits: CreditsSpend | null;
}

/** Where a key stands in its rate limit after (or, for `peek`, without) this use. */
export interface RateLimitState {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetAt: Date;
}

/**
 * rate-limiter-flexible's PostgreSQL store speaks node-postgres (`query({ text, values })` →
 * `{ rows }`); this gives it Prisma's connection pool instead of a second one. Its upsert is one
 * statement, so a check is one round trip. `expire` is a BIGINT, which Prisma returns as bigint.
 */
function prismaStore(prisma: PrismaClient) {
  return {
    async query({ text, values = [] }: { text: string; values?: unknown[] }) {
      const rows = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(text, ...values);
      const mapped = rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])));
      return { rows: mapped, rowCount: mapped.length };
    },
  };
}

/**
 * A RateLimiterPostgres on the `RateLimiterFlexible` table (created by Keyward's migrations),
 * through Prisma's pool. Once a key is over its limit, this instance refuses it from memory until
 * its window ends. Expired rows are swept by the first limiter made on each database (the sweep
 * covers the table).
 */
const swept = new WeakSet<PrismaClient>();
export function postgresLimiter(prisma: PrismaClient, options: { keyPrefix: string; points: number; duration: number }): RateLimiterAbstract {
  const sweep = !swept.has(prisma);
  swept.add(prisma);
  return new RateLimiterPostgres({
    ...options,
    storeClient: prismaStore(prisma),
    storeType: "pool",
    tableName: "RateLimiterFlexible",
    tableCreated: true,
    inMemoryBlockOnConsumed: options.points + 1,
    clearExpiredByTimeout: sweep,
  } as ConstructorParameters<typeof RateLimiterPostgres>[0]);
}

/** A window over its limit until `ends`. */
const over = ({ limit }: RateLimitPolicy, ends: number): RateLimitState => ({ allowed: false, limit, remaining: 0, resetAt: new Date(ends) });

/** Distinct (limit, window) pairs kept; past it the oldest limiter (and its counts) is dropped. */
const MAX_LIMITERS = 10_000;

/**
 * Per-key rate limits and credits: the hot path of a product's every request.
 *
 * Rate limits are rate-limiter-flexible's FIXED windows, each starting at a key's first use after
 * the previous one ended (at most `limit` uses in any window so started; a burst of up to
 * 2×limit can straddle two adjacent windows). One process (the embedded database): counts in
 * memory (RateLimiterMemory), no database write. Several instances on PostgreSQL (`shared`):
 * the library's row in the `RateLimiterFlexible` table, counted together with the key's credits
 * by one statement per round trip (`PostgresKeyUse`, which batches a hot key's concurrent uses);
 * once a key is over its limit this instance refuses it from memory until its window ends.
 * Peeks read the row through RateLimiterPostgres.
 *
 * Credits on PostgreSQL are exact under any concurrency on every instance. On the embedded
 * database, the one process keeps balances in memory and writes them in batches
 * (`CreditLedger`): no database write per check.
 */
export class KeyLimits {
  #limiters = new Map<string, RateLimiterAbstract>();
  /** PostgreSQL: windows (by the limiter's key) this instance saw over their limit, until they end. */
  #blocked = new Map<string, number>();
  /** The embedded database's balances; `undefined` on PostgreSQL, where the database keeps them. */
  readonly ledger: CreditLedger | undefined;
  /** PostgreSQL's counting (several instances); `undefined` on the embedded database. */
  private readonly postgres: PostgresKeyUse | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly shared: boolean,
    /** The clock credits are refilled by; rate-limiter-flexible reads `Date.now()` itself. */
    private readonly now: () => number = () => Date.now(),
  ) {
    this.ledger = shared ? undefined : new CreditLedger(prisma, now);
    this.postgres = shared ? new PostgresKeyUse(prisma, now) : undefined;
  }

  /** Around a change of a key's limits (see `CreditLedger.hold`); nothing to do on PostgreSQL. */
  async holdCredits(keyId: string): Promise<() => void> {
    return this.ledger ? this.ledger.hold(keyId) : () => undefined;
  }

  /** Credits left as this instance knows them, when newer than the database's (embedded database only). */
  pendingCredits(keyId: string): number | undefined {
    return this.ledger?.pending(keyId);
  }

  /** Counts one use of the key (a request to Keyward's own API). */
  async consume(keyId: string, policy: RateLimitPolicy): Promise<RateLimitState> {
    if (this.postgres) return (await this.use(keyId, policy, false, 0)).rateLimit!;
    try {
      return this.#state(policy, await this.#limiter(policy).consume(keyId), true);
    } catch (refused) {
      if (refused instanceof RateLimiterRes) return this.#state(policy, refused, false);
      throw refused;
    }
  }

  /** Where the key stands, without counting a use (for a verification refused before the limit is reached). */
  async peek(keyId: string, policy: RateLimitPolicy): Promise<RateLimitState> {
    const res = await this.#limiter(policy).get(keyId);
    if (!res) return { allowed: true, limit: policy.limit, remaining: policy.limit, resetAt: new Date(this.now() + policy.windowSeconds * 1000) };
    return this.#state(policy, res, res.remainingPoints > 0);
  }

  /**
   * One use of a key by a verification: counted in its rate limit (when it has one), then, if
   * within it, `cost` credits spent (when it has credits; 0 only reads the balance). On PostgreSQL
   * both in one statement (`PostgresKeyUse`), and a key over its limit is refused from this
   * instance's memory until its window ends.
   */
  async use(keyId: string, rateLimit: RateLimitPolicy | null, credits: boolean, cost: number): Promise<KeyUse> {
    if (!this.postgres) {
      const state = rateLimit ? await this.consume(keyId, rateLimit) : null;
      if (state && !state.allowed) return { rateLimit: state, credits: null };
      return { rateLimit: state, credits: credits && this.ledger ? await this.ledger.spend(keyId, cost) : null };
    }
    const window = rateLimit ? { key: this.#limiter(rateLimit).getKey(keyId), policy: rateLimit } : null;
    if (window) {
      const blockedUntil = this.#blocked.get(window.key);
      if (blockedUntil !== undefined && blockedUntil > this.now()) return { rateLimit: over(window.policy, blockedUntil), credits: null };
      this.#blocked.delete(window.key);
    }
    const used = await this.postgres.use(keyId, window, credits, cost);
    if (!window || !used.window) return { rateLimit: null, credits: used.credits };
    if (!used.allowed) {
      if (this.#blocked.size >= MAX_LIMITERS) this.#blocked.delete(this.#blocked.keys().next().value!);
      this.#blocked.set(window.key, used.window.ends);
      return { rateLimit: over(window.policy, used.window.ends), credits: null };
    }
    const { limit } = window.policy;
    return { rateLimit: { allowed: true, limit, remaining: Math.max(0, limit - used.window.count), resetAt: new Date(used.window.ends) }, credits: used.credits };
  }

  #state(policy: RateLimitPolicy, res: RateLimiterRes, allowed: boolean): RateLimitState {
    const ms = res.msBeforeNext >= 0 ? res.msBeforeNext : policy.windowSeconds * 1000;
    return { allowed, limit: policy.limit, remaining: Math.max(0, res.remainingPoints), resetAt: new Date(this.now() + ms) };
  }

  /** One limiter per (limit, window): a key whose limit changes starts counting afresh under the new one. */
  #limiter({ limit, windowSeconds }: RateLimitPolicy): RateLimiterAbstract {
    const name = `key:${limit}:${windowSeconds}`;
    let limiter = this.#limiters.get(name);
    if (limiter) return limiter;
    if (this.#limiters.size >= MAX_LIMITERS) this.#limiters.delete(this.#limiters.keys().next().value!);
    const options = { keyPrefix: name, points: limit, duration: windowSeconds };
    limiter = this.shared ? postgresLimiter(this.prisma, options) : new RateLimiterMemory(options);
    this.#limiters.set(name, limiter);
    return limiter;
  }
}

import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { periodStart, type RateLimitPolicy } from "../domain/keyPolicies.ts";
import { CreditLedger, type CreditsSpend } from "./creditLedger.ts";
import { Prisma, type PrismaClient } from "../generated/prisma/client.ts";

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

/** Distinct (limit, window) pairs kept; past it the oldest limiter (and its counts) is dropped. */
const MAX_LIMITERS = 10_000;

/**
 * Per-key rate limits and credits: the hot path of a product's every request.
 *
 * Rate limits are rate-limiter-flexible's FIXED windows, each starting at a key's first use after
 * the previous one ended (at most `limit` uses in any window so started; a burst of up to
 * 2×limit can straddle two adjacent windows). One process (the embedded database): counts in
 * memory (RateLimiterMemory), no database write. Several instances on PostgreSQL
 * (`shared`): RateLimiterPostgres in the `RateLimiterFlexible` table, one upsert per check, and
 * once a key is over its limit this instance refuses it from memory until its window ends.
 *
 * Credits on PostgreSQL are one atomic `UPDATE … WHERE remaining >= cost RETURNING` (with a
 * refill due at the start of a UTC period applied in the same statement): exact under any
 * concurrency on every instance, one round trip per spend (a refusal reads the balance in a
 * second). On the embedded database, the one process keeps balances in memory and writes them
 * in batches (`CreditLedger`): no database write per check.
 */
export class KeyLimits {
  #limiters = new Map<string, RateLimiterAbstract>();
  /** The embedded database's balances; `undefined` on PostgreSQL, where the database keeps them. */
  readonly ledger: CreditLedger | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly shared: boolean,
    /** The clock credits are refilled by; rate-limiter-flexible reads `Date.now()` itself. */
    private readonly now: () => number = () => Date.now(),
  ) {
    this.ledger = shared ? undefined : new CreditLedger(prisma, now);
  }

  /** Around a change of a key's limits (see `CreditLedger.hold`); nothing to do on PostgreSQL. */
  async holdCredits(keyId: string): Promise<() => void> {
    return this.ledger ? this.ledger.hold(keyId) : () => undefined;
  }

  /** Credits left as this instance knows them, when newer than the database's (embedded database only). */
  pendingCredits(keyId: string): number | undefined {
    return this.ledger?.pending(keyId);
  }

  /** Counts one use of the key. */
  async consume(keyId: string, policy: RateLimitPolicy): Promise<RateLimitState> {
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

  /** Spends `cost` credits (0: only reads the balance); `null` when the key has no credits. */
  async spendCredits(keyId: string, cost: number): Promise<CreditsSpend | null> {
    if (this.ledger) return this.ledger.spend(keyId, cost);
    const now = this.now();
    const due = Prisma.sql`("creditsRefillInterval" IS NOT NULL AND ("creditsRefilledAt" IS NULL OR "creditsRefilledAt" <
      CASE "creditsRefillInterval" WHEN 'DAILY' THEN ${periodStart("DAILY", now)}::timestamp(3) ELSE ${periodStart("MONTHLY", now)}::timestamp(3) END))`;
    const available = Prisma.sql`(CASE WHEN ${due} THEN "creditsRefillAmount" ELSE "creditsRemaining" END)`;
    if (cost > 0) {
      const spent = await this.prisma.$queryRaw<{ remaining: number }[]>`
        UPDATE "ApiKey" SET "creditsRemaining" = ${available} - ${cost}::int,
                            "creditsRefilledAt" = CASE WHEN ${due} THEN ${new Date(now)}::timestamp(3) ELSE "creditsRefilledAt" END
        WHERE "id" = ${keyId} AND "creditsRemaining" IS NOT NULL AND ${available} >= ${cost}::int
        RETURNING "creditsRemaining" AS "remaining"`;
      if (spent[0]) return { ok: true, remaining: spent[0].remaining };
    }
    const [row] = await this.prisma.$queryRaw<{ remaining: number | null }[]>`
      SELECT ${available} AS "remaining" FROM "ApiKey" WHERE "id" = ${keyId}`;
    if (!row || row.remaining === null) return null;
    return { ok: row.remaining >= cost, remaining: row.remaining };
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

import { periodStart, type RateLimitPolicy } from "../domain/keyPolicies.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";

/** One use of a key as PostgreSQL counted it. */
export interface PostgresUse {
  /** Within the rate limit (always, for a key without one). */
  allowed: boolean;
  /** The window's count after this use, and when the window ends (ms); `null` without a rate limit. */
  window: { count: number; ends: number } | null;
  /** `null`: credits were not asked for, or the key has none. `ok` false: too few left or over the limit (nothing spent). */
  credits: { ok: boolean; remaining: number } | null;
}

interface Waiting {
  cost: number;
  resolve(use: PostgresUse): void;
  reject(error: unknown): void;
}

interface Queue {
  keyId: string;
  window: { key: string; policy: RateLimitPolicy } | null;
  spend: boolean;
  waiting: Waiting[];
}

/** Uses sent in one statement at most. */
const MAX_BATCH = 500;

interface Row {
  allowed: boolean;
  windowCount: number | null;
  windowEnds: bigint | number | null;
  spent: boolean | null;
  balance: number | null;
}

/**
 * Rate limits and credits on PostgreSQL, shared exactly by every instance: each use is counted by
 * the `keyward_use_key` function (migration 20261202700000), one statement per round trip.
 * Uses of one key that arrive while its statement runs wait and go together in the next one, in
 * order: a hot key costs one round trip per batch, not per use, and its row lock is taken once per
 * batch (a single key's updates are serialized by that lock: ~2,600 a second on a 2-core machine,
 * against tens of thousands batched). A key used now and then goes at once, alone.
 *
 * Why by hand and not rate-limiter-flexible's RateLimiterPostgres: its store runs one upsert per
 * use, so a key with a limit AND credits took two round trips and two commits holding the hot
 * rows, and it cannot batch. The function writes the library's row, by the library's fixed-window
 * rule, so the library's `get` (a peek) reads the same count.
 */
export class PostgresKeyUse {
  #queues = new Map<string, Queue>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => number,
  ) {}

  /** Counts one use (in the window, when `window`), and spends `cost` credits when `spend` and the key has credits. */
  use(keyId: string, window: Queue["window"], spend: boolean, cost: number): Promise<PostgresUse> {
    const id = `${keyId}\u0000${window?.key ?? ""}\u0000${spend}`;
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(id);
      if (queue) return void queue.waiting.push({ cost, resolve, reject });
      const fresh: Queue = { keyId, window, spend, waiting: [{ cost, resolve, reject }] };
      this.#queues.set(id, fresh);
      void this.#drain(id, fresh);
    });
  }

  async #drain(id: string, queue: Queue): Promise<void> {
    while (queue.waiting.length > 0) {
      const batch = queue.waiting.splice(0, MAX_BATCH);
      try {
        const rows = await this.#run(queue, batch.map((w) => w.cost));
        batch.forEach((w, i) => w.resolve(this.#useOf(queue, rows[i]!)));
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.#queues.delete(id);
  }

  #run({ keyId, window, spend }: Queue, costs: number[]): Promise<Row[]> {
    const now = this.now();
    return this.prisma.$queryRaw<Row[]>`
      SELECT * FROM "keyward_use_key"(${keyId}, ${window?.key ?? null}, ${window?.policy.limit ?? 0}::int, ${(window?.policy.windowSeconds ?? 0) * 1000}::bigint,
        ${now}::bigint, ${new Date(now)}::timestamp(3), ${periodStart("DAILY", now)}::timestamp(3), ${periodStart("MONTHLY", now)}::timestamp(3),
        ${spend}, ${costs}::int[])`;
  }

  #useOf({ window }: Queue, row: Row): PostgresUse {
    return {
      allowed: row.allowed,
      window: window && row.windowCount !== null && row.windowEnds !== null ? { count: row.windowCount, ends: Number(row.windowEnds) } : null,
      credits: row.spent === null || row.balance === null ? null : { ok: row.spent, remaining: row.balance },
    };
  }
}

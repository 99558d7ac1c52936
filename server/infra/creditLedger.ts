import { periodStart } from "../domain/keyPolicies.ts";
import type { CreditRefillInterval, PrismaClient } from "../generated/prisma/client.ts";

/** A verification's spend: `ok` false when fewer than `cost` credits were left (nothing spent then). */
export interface CreditsSpend {
  ok: boolean;
  remaining: number;
}

interface Balance {
  remaining: number;
  refillAmount: number | null;
  refillInterval: CreditRefillInterval | null;
  refilledAt: number | null;
  /** Bumped by every spend or refill; the database holds `written`. */
  version: number;
  written: number;
}

/** Clean balances kept past this are dropped (the database has them). */
const MAX_CLEAN = 100_000;

/**
 * Credits on the embedded database (one process, so this process is the only one spending):
 * each key's balance is read once, then spent in memory (check and decrement with nothing
 * awaited between them, so concurrent verifications are exact) and written back in batches,
 * like usage. A change of a key's limits (`hold`) writes its balance first, keeps spends of
 * that key waiting until the change has committed, then reads it afresh.
 */
export class CreditLedger {
  #balances = new Map<string, Balance>();
  #loading = new Map<string, Promise<Balance | null>>();
  #held = new Map<string, Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => number,
  ) {}

  async spend(keyId: string, cost: number): Promise<CreditsSpend | null> {
    for (;;) {
      const balance = this.#balances.get(keyId) ?? (await this.#load(keyId));
      if (!balance) return null;
      // Forgotten by a change of the key's limits while this waited: read what the change left.
      if (this.#balances.get(keyId) !== balance) continue;
      this.#refill(balance);
      if (balance.remaining < cost) return { ok: false, remaining: balance.remaining };
      if (cost > 0) {
        balance.remaining -= cost;
        balance.version++;
      }
      return { ok: true, remaining: balance.remaining };
    }
  }

  /** This process's balance when it has one not yet written (`undefined`: the database's is current). */
  pending(keyId: string): number | undefined {
    const balance = this.#balances.get(keyId);
    if (!balance) return undefined;
    this.#refill(balance);
    return balance.remaining;
  }

  /**
   * Before a change of the key's limits: its balance is written (so the change decides on what
   * was really left) and forgotten, and spends of it wait until `release` (after the commit),
   * then read what the change left.
   */
  async hold(keyId: string): Promise<() => void> {
    let release!: () => void;
    const previous = this.#held.get(keyId);
    const held = new Promise<void>((resolve) => (release = resolve));
    this.#held.set(keyId, held);
    await previous;
    await this.#loading.get(keyId)?.catch(() => undefined);
    await this.#flushing.catch(() => undefined);
    const balance = this.#balances.get(keyId);
    this.#balances.delete(keyId);
    try {
      if (balance && balance.version !== balance.written) await this.#write([[keyId, balance]]);
    } catch (error) {
      this.#balances.set(keyId, balance!);
      release();
      throw error;
    }
    return () => {
      if (this.#held.get(keyId) === held) this.#held.delete(keyId);
      release();
    };
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

  /** Writes every balance spent since it was last written; on failure they are tried again next time. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.catch(() => undefined).then(() => this.#flushDirty());
    return this.#flushing;
  }

  async #flushDirty(): Promise<void> {
    const dirty = [...this.#balances].filter(([, b]) => b.version !== b.written);
    if (dirty.length > 0) await this.#write(dirty);
    if (this.#balances.size > MAX_CLEAN) {
      for (const [id, b] of this.#balances) if (b.version === b.written && this.#balances.size > MAX_CLEAN / 2) this.#balances.delete(id);
    }
  }

  async #write(entries: Array<[string, Balance]>): Promise<void> {
    const versions = entries.map(([, b]) => b.version);
    await this.prisma.$executeRawUnsafe(
      `UPDATE "ApiKey" AS k SET "creditsRemaining" = u.r, "creditsRefilledAt" = u.t
       FROM unnest($1::text[], $2::int[], $3::timestamp(3)[]) AS u(id, r, t)
       WHERE k."id" = u.id AND k."creditsRemaining" IS NOT NULL`,
      entries.map(([id]) => id),
      entries.map(([, b]) => b.remaining),
      entries.map(([, b]) => (b.refilledAt === null ? null : new Date(b.refilledAt).toISOString().replace("T", " ").replace("Z", ""))),
    );
    entries.forEach(([, b], i) => (b.written = versions[i]!));
  }

  #load(keyId: string): Promise<Balance | null> {
    let loading = this.#loading.get(keyId);
    if (!loading) {
      loading = (async () => {
        await this.#held.get(keyId);
        const [row] = await this.prisma.$queryRaw<Array<{ remaining: number | null; refillAmount: number | null; refillInterval: CreditRefillInterval | null; refilledAt: Date | null }>>`
          SELECT "creditsRemaining" AS "remaining", "creditsRefillAmount" AS "refillAmount",
                 "creditsRefillInterval"::text AS "refillInterval", "creditsRefilledAt" AS "refilledAt"
          FROM "ApiKey" WHERE "id" = ${keyId}`;
        if (!row || row.remaining === null) return null;
        const balance: Balance = { remaining: row.remaining, refillAmount: row.refillAmount, refillInterval: row.refillInterval, refilledAt: row.refilledAt?.getTime() ?? null, version: 0, written: 0 };
        // A hold that began while this read ran decides instead.
        if (!this.#held.has(keyId)) this.#balances.set(keyId, balance);
        return balance;
      })().finally(() => this.#loading.delete(keyId));
      this.#loading.set(keyId, loading);
    }
    return loading;
  }

  #refill(balance: Balance): void {
    if (balance.refillInterval === null || balance.refillAmount === null) return;
    const now = this.now();
    if (balance.refilledAt !== null && balance.refilledAt >= periodStart(balance.refillInterval, now).getTime()) return;
    balance.remaining = balance.refillAmount;
    balance.refilledAt = now;
    balance.version++;
  }
}

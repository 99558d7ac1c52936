import { randomUUID } from "node:crypto";
import pg from "pg";
import { Counter, Gauge, type Registry } from "prom-client";
import type { Prisma } from "../generated/prisma/client.ts";
import type { Logger } from "../infra/logger.ts";
import { connectionOptions, Sockets } from "../infra/postgres.ts";
import type { KeyCache } from "./cache.ts";

export interface KeyChange {
  keyIds?: string[];
  userIds?: string[];
}

export const CHANNEL = "keyward_key_changes";
// NOTIFY payloads are limited to 8000 bytes; past this, other instances flush everything.
const MAX_PAYLOAD = 7_000;

export interface ListenerOptions {
  /** How long connecting, LISTEN, and each heartbeat may take. @default 5_000 */
  timeoutMs?: number;
  /** How often the listening connection is checked with a round trip. @default 5_000 */
  heartbeatMs?: number;
  /** Where `keyward_key_listener_up` and `keyward_key_listener_reconnects_total` are reported. */
  registry?: Registry;
}

/**
 * Spreads "this key (or this person's keys) changed" to every instance: NOTIFY inside the
 * changing transaction (delivered on commit, atomically with the change), local invalidation
 * right after the commit, and a LISTEN connection that applies other instances' changes.
 *
 * A listening connection only receives, so one that died without a reset (a NAT or firewall
 * that lost its state, a failover that kept the address) would look healthy forever while
 * other instances' revocations go unheard. A heartbeat (a round trip on that connection every
 * `heartbeatMs`, answered within `timeoutMs`) finds out within seconds; then, until the
 * listener is back, the key cache holds nothing (every key is read from the database), and
 * `/readyz` and the metrics say so.
 */
export class KeyChanges {
  /** Tags this instance's notifications: it applied them at commit, so their echo is skipped. */
  readonly instanceId = randomUUID();
  /** The listener's `application_name`, so operators can tell it apart in `pg_stat_activity`. */
  get listenerName(): string {
    return `keyward-listener-${this.instanceId}`;
  }
  readonly timeoutMs: number;
  readonly heartbeatMs: number;
  #listener: pg.Client | undefined;
  #sockets = new Sockets();
  #listening = false;
  /** Why the listener is not listening; `undefined` while it is (or when there is none). */
  #down: string | undefined;
  #reconnects = 0;
  #reconnectDelay = 100;
  #timers = new Set<NodeJS.Timeout>();
  #registered = false;

  constructor(
    private readonly cache: KeyCache,
    private readonly logger?: Logger,
    private readonly options: ListenerOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.heartbeatMs = options.heartbeatMs ?? 5_000;
  }

  /**
   * Tells every other instance what to forget, from inside the changing transaction: PostgreSQL
   * delivers the NOTIFY on commit, atomically with the change, and never for a rollback. Apply
   * the same change locally once the transaction has committed.
   */
  async announce(tx: Prisma.TransactionClient, change: Required<KeyChange>): Promise<void> {
    if (change.keyIds.length + change.userIds.length === 0) return;
    await tx.$executeRaw`SELECT pg_notify(${CHANNEL}, ${payload(change, this.instanceId)})`;
  }

  apply(change: Notification): void {
    if (change.all) return this.cache.clear();
    if (change.keyIds?.length) this.cache.invalidateKeys(change.keyIds);
    if (change.userIds?.length) this.cache.invalidateUsers(change.userIds);
  }

  /** Why other instances' changes are not being heard right now; `undefined` when they are (or on PGlite). */
  get down(): string | undefined {
    return this.#listening ? this.#down : undefined;
  }

  /** PostgreSQL only (PGlite is one process, so local invalidation is all there is to do). */
  async listen(databaseUrl: string): Promise<void> {
    if (this.options.registry && !this.#registered) this.#registerMetrics(this.options.registry);
    this.#listening = true;
    await this.#connect(databaseUrl);
  }

  /** Stops listening, within `timeoutMs` even when the connection hangs. */
  async stop(): Promise<void> {
    this.#listening = false;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const client = this.#listener;
    this.#listener = undefined;
    if (client) await this.#within(client.end().catch(() => undefined));
    this.#sockets.destroyAll();
  }

  async #connect(databaseUrl: string): Promise<void> {
    const client = new pg.Client({
      ...connectionOptions(databaseUrl, this.timeoutMs, this.#sockets),
      application_name: this.listenerName,
    });
    const lost = (reason: string) => {
      if (this.#listener !== client) return;
      this.#listener = undefined;
      // Changes may be missed until it is back: keep nothing, read every key from the database.
      this.cache.suspend();
      void client.end().catch(() => undefined);
      if (!this.#listening) return;
      this.#down = reason;
      this.logger?.warn(`key change listener lost (${reason}); key cache off until it reconnects`);
      const delay = this.#reconnectDelay;
      this.#reconnectDelay = Math.min(delay * 2, 5_000);
      // A failed attempt calls `lost` itself, which schedules the next one.
      this.#later(delay, () => void this.#connect(databaseUrl).catch(() => undefined));
    };
    client.on("notification", (message) => {
      if (message.channel !== CHANNEL || !message.payload) return;
      try {
        const change = JSON.parse(message.payload) as Notification;
        // Our own change was applied right after its commit; the echo would only evict the
        // entries that requests have warmed since.
        if (change.from !== this.instanceId) this.apply(change);
      } catch {
        this.cache.clear();
      }
    });
    client.on("error", () => lost("connection failed"));
    client.on("end", () => lost("connection ended"));
    this.#listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      lost("could not connect");
      throw error;
    }
    if (this.#listener !== client) return;
    if (this.#down !== undefined) this.#reconnects++;
    this.#down = undefined;
    this.#reconnectDelay = 100;
    // Anything cached before now may have missed a change; from now on changes are heard.
    this.cache.resume();
    this.#heartbeat(client, lost);
  }

  #heartbeat(client: pg.Client, lost: (reason: string) => void): void {
    this.#later(this.heartbeatMs, () => {
      if (this.#listener !== client) return;
      // pg's query_timeout (timeoutMs) bounds the wait for the answer.
      client.query("SELECT 1").then(
        () => this.#heartbeat(client, lost),
        () => lost("heartbeat unanswered"),
      );
    });
  }

  #later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, ms);
    timer.unref();
    this.#timers.add(timer);
  }

  #within(work: Promise<unknown>): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise((resolve) => (timer = setTimeout(resolve, this.timeoutMs)));
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }

  #registerMetrics(registry: Registry): void {
    this.#registered = true;
    const changes = this;
    new Gauge({
      name: "keyward_key_listener_up",
      help: "1 while changes from other instances are heard (PostgreSQL LISTEN), 0 while the listener is down.",
      registers: [registry],
      collect() {
        this.set(changes.down === undefined ? 1 : 0);
      },
    });
    new Counter({
      name: "keyward_key_listener_reconnects_total",
      help: "Times the key change listener was lost and connected again.",
      registers: [registry],
      collect() {
        this.reset();
        this.inc(changes.#reconnects);
      },
    });
  }
}

interface Notification extends KeyChange {
  /** Flush everything: the change was too large for one payload. */
  all?: boolean;
  /** The `instanceId` of the sender. */
  from?: string;
}

function payload(change: Required<KeyChange>, from: string): string {
  const text = JSON.stringify({ from, keyIds: change.keyIds, userIds: change.userIds } satisfies Notification);
  return text.length <= MAX_PAYLOAD ? text : JSON.stringify({ from, all: true } satisfies Notification);
}

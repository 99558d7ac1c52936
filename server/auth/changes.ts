import { randomUUID } from "node:crypto";
import pg from "pg";
import type { Prisma, PrismaClient } from "../generated/prisma/client.ts";
import type { Logger } from "../logger.ts";
import { connectionOptions, Sockets } from "../postgres.ts";
import type { KeyCache } from "./cache.ts";

export interface KeyChange {
  keyIds?: string[];
  userIds?: string[];
}

export const CHANNEL = "keyward_key_changes";
// NOTIFY payloads are limited to 8000 bytes; past this, other instances flush everything.
const MAX_PAYLOAD = 7_000;

/**
 * Spreads "this key (or this person's keys) changed" to every instance: NOTIFY inside the
 * changing transaction (delivered on commit, atomically with the change), local invalidation
 * right after the commit, and a LISTEN connection that applies other instances' changes.
 */
export class KeyChanges {
  /** Tags this instance's notifications: it applied them at commit, so their echo is skipped. */
  readonly instanceId = randomUUID();
  /** The listener's `application_name`, so operators can tell it apart in `pg_stat_activity`. */
  get listenerName(): string {
    return `keyward-listener-${this.instanceId}`;
  }
  #listener: pg.Client | undefined;
  #sockets = new Sockets();
  #stopped = false;
  #reconnectDelay = 100;

  constructor(
    private readonly cache: KeyCache,
    private readonly logger?: Logger,
    /** How long connecting and LISTEN may take, and stopping. */
    readonly timeoutMs = 5_000,
  ) {}

  /** Runs `work` in a transaction; whatever it `touch`es is invalidated everywhere once it commits. */
  async transaction<T>(
    prisma: PrismaClient,
    work: (tx: Prisma.TransactionClient, touch: (change: KeyChange) => void) => Promise<T>,
  ): Promise<T> {
    const touched = { keyIds: new Set<string>(), userIds: new Set<string>() };
    const touch = (change: KeyChange) => {
      for (const id of change.keyIds ?? []) touched.keyIds.add(id);
      for (const id of change.userIds ?? []) touched.userIds.add(id);
    };
    const result = await prisma.$transaction(async (tx) => {
      const value = await work(tx, touch);
      if (touched.keyIds.size + touched.userIds.size > 0) {
        await tx.$executeRaw`SELECT pg_notify(${CHANNEL}, ${payload(touched, this.instanceId)})`;
      }
      return value;
    });
    this.apply({ keyIds: [...touched.keyIds], userIds: [...touched.userIds] });
    return result;
  }

  apply(change: Notification): void {
    if (change.all) return this.cache.clear();
    if (change.keyIds?.length) this.cache.invalidateKeys(change.keyIds);
    if (change.userIds?.length) this.cache.invalidateUsers(change.userIds);
  }

  /** PostgreSQL only (PGlite is one process, so local invalidation is all there is to do). */
  async listen(databaseUrl: string): Promise<void> {
    this.#stopped = false;
    await this.#connect(databaseUrl);
  }

  /** Stops listening, within `timeoutMs` even when the connection hangs (a polite end would wait forever). */
  async stop(): Promise<void> {
    this.#stopped = true;
    const client = this.#listener;
    this.#listener = undefined;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise((resolve) => (timer = setTimeout(resolve, this.timeoutMs)));
    await Promise.race([client?.end().catch(() => undefined), late]);
    clearTimeout(timer);
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
      // Changes may have been missed while disconnected: forget everything.
      this.cache.clear();
      if (this.#stopped) return;
      this.logger?.warn(`key change listener lost (${reason}); cache flushed, reconnecting`);
      const delay = this.#reconnectDelay;
      this.#reconnectDelay = Math.min(delay * 2, 5_000);
      // A failed attempt calls `lost` itself, which schedules the next one.
      setTimeout(() => void this.#connect(databaseUrl).catch(() => undefined), delay).unref();
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
    client.on("error", (error) => lost(error.message));
    client.on("end", () => lost("connection ended"));
    this.#listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      lost((error as Error).message);
      void client.end().catch(() => undefined);
      throw error;
    }
    this.cache.clear();
    this.#reconnectDelay = 100;
  }
}

interface Notification extends KeyChange {
  /** Flush everything: the change was too large for one payload. */
  all?: boolean;
  /** The `instanceId` of the sender. */
  from?: string;
}

function payload(touched: { keyIds: Set<string>; userIds: Set<string> }, from: string): string {
  const text = JSON.stringify({ from, keyIds: [...touched.keyIds], userIds: [...touched.userIds] } satisfies Notification);
  return text.length <= MAX_PAYLOAD ? text : JSON.stringify({ from, all: true } satisfies Notification);
}

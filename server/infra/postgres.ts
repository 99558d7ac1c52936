import { Socket } from "node:net";
import pg from "pg";

/** TCP keepalive starts probing after this much silence (Node then probes every second, ten times). */
const KEEPALIVE_DELAY_MS = 10_000;

/**
 * The sockets of a set of PostgreSQL connections, so they can be destroyed when a graceful end
 * would wait forever: on a black-holed network, ending a connection politely never finishes.
 */
export class Sockets {
  #open = new Set<Socket>();

  /** For pg's `stream` option: the socket pg would make, remembered until it closes. */
  readonly create = (): Socket => {
    const socket = new Socket();
    this.#open.add(socket);
    socket.once("close", () => this.#open.delete(socket));
    return socket;
  };

  destroyAll(): void {
    for (const socket of this.#open) socket.destroy();
    this.#open.clear();
  }
}

/**
 * What every Keyward connection to PostgreSQL (the pool's, the listener's) is bounded by:
 * connecting, and waiting for a query's answer, take at most `timeoutMs` (pg's
 * `connectionTimeoutMillis` and `query_timeout`), and TCP keepalive notices a peer that
 * vanished within seconds rather than the operating system's default two hours.
 */
export function connectionOptions(connectionString: string, timeoutMs: number, sockets: Sockets): pg.ClientConfig {
  return {
    connectionString,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    stream: sockets.create,
  };
}

export interface Pool {
  pool: pg.Pool;
  /** Ends the connections, politely for `timeoutMs` at most, then by force. */
  close(): Promise<void>;
}

/**
 * The pool Prisma's adapter runs on. Waiting for a free connection is bounded like connecting
 * (pg-pool applies `connectionTimeoutMillis` to both), and the server cancels a statement that
 * runs past `timeoutMs` and ends a session left idle inside a transaction (by a client that
 * vanished), so its row locks do not hold up the other instances.
 */
export function openPool(connectionString: string, timeoutMs: number): Pool {
  const sockets = new Sockets();
  const pool = new pg.Pool({
    ...connectionOptions(connectionString, timeoutMs, sockets),
    max: 10,
    idleTimeoutMillis: 30_000,
    statement_timeout: timeoutMs,
    idle_in_transaction_session_timeout: 2 * timeoutMs,
  });
  // An idle connection that failed is dropped by the pool; the next query opens a new one.
  pool.on("error", () => undefined);
  // A query that timed out inside a transaction leaves its connection waiting for an answer
  // that may never come (pg cannot cancel it), and Prisma then releases it as if healthy: end it
  // instead of handing it to the next request. A healthy connection is back to idle ("I").
  pool.on("release", (error, client) => {
    if (!error && client.getTransactionStatus() !== "I") void client.end().catch(() => undefined);
  });
  return {
    pool,
    close: async () => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([pool.end().catch(() => undefined), late]);
      clearTimeout(timer);
      sockets.destroyAll();
    },
  };
}

/**
 * Names for prepared statements (`PrismaPg`'s `statementNameGenerator`): a named statement is
 * parsed and planned once per connection instead of on every execution. The key lookup of a
 * cold verification, a four-table join, went from ~1.0 to ~0.25 ms a query on PostgreSQL 15
 * here; most of that was planning. A statement is named once it has run `after` times, so a
 * text that varies never is, and at most `limit` are, which each connection prepares as it
 * first runs them; every other statement runs unnamed, as all did before.
 */
export function statementNames(limit = 256, after = 3): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  const runs = new Map<string, number>();
  return ({ sql }) => {
    const named = names.get(sql);
    if (named !== undefined) return named;
    if (names.size < limit) {
      const count = (runs.get(sql) ?? 0) + 1;
      if (count >= after) {
        runs.delete(sql);
        const name = `keyward_${names.size}`;
        names.set(sql, name);
        return name;
      }
      if (runs.size >= 4 * limit) runs.clear();
      runs.set(sql, count);
    }
    // pg runs a query named "" as it runs an unnamed one.
    return "";
  };
}

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

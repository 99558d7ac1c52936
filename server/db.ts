import { readFile, rm, writeFile } from "node:fs/promises";
import type { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import type { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "./generated/prisma/client.ts";
import { byKeyIdOnPGlite, byKeyIdOnPostgres, type ByKeyId } from "./infra/driverStatements.ts";
import { migrate, type SqlConnection } from "./infra/migrate.ts";
import { connectionOptions, openPool, Sockets, statementNames } from "./infra/postgres.ts";

export interface Database {
  prisma: PrismaClient;
  /**
   * The same database without Prisma Client, for the read behind every cold verification
   * (server/auth/keyRecords.ts): on PostgreSQL through the driver adapter (Prisma Client's query
   * pipeline allocated ~50 KB per statement against the adapter's ~25 KB), on PGlite through its
   * own `exec`. Everything else uses `prisma`.
   */
  byKeyId: ByKeyId;
  kind: "pglite" | "postgresql";
  /** The names of the migrations applied while opening. */
  migrated: string[];
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** `postgresql://…`: use that server. Otherwise PGlite, embedded, in `dataDir`. */
  databaseUrl?: string;
  /** PGlite data directory; `undefined` keeps the database in memory. */
  dataDir?: string;
  /** A PGlite data directory dump (`dumpDataDir`) to start from, so tests skip initdb. */
  loadDataDir?: Blob | File;
  /** Called with every SQL statement Prisma sends (tests count database round trips with it). */
  onQuery?: (sql: string) => void;
  /**
   * PostgreSQL: the longest Keyward waits to connect, for a pooled connection, or for a
   * statement's answer, before answering 503 UNAVAILABLE (`KEYWARD_DATABASE_TIMEOUT_MS`).
   * @default 5_000
   */
  timeoutMs?: number;
  /**
   * PostgreSQL: name the statements that repeat, so each connection parses and plans them once
   * (`KEYWARD_DATABASE_PREPARED_STATEMENTS`). Off for a PgBouncer older than 1.21 in transaction
   * mode, which cannot keep a connection's prepared statements.
   * @default true
   */
  preparedStatements?: boolean;
}

const DEFAULT_DATABASE_TIMEOUT_MS = 5_000;

// A burst of writes queues for a connection: wait for one (PGlite has one) rather than fail at 2 s.
const transactionOptions = { maxWait: 10_000, timeout: 20_000 };

function prismaClient(
  adapter: PrismaPg | PrismaPGlite,
  onQuery?: (sql: string) => void,
  options: typeof transactionOptions = transactionOptions,
): PrismaClient {
  if (!onQuery) return new PrismaClient({ adapter, transactionOptions: options });
  const prisma = new PrismaClient({ adapter, transactionOptions: options, log: [{ emit: "event", level: "query" }] });
  prisma.$on("query", (event) => onQuery(event.query));
  return prisma;
}

/** Opens the one database of the process, applying pending migrations before anything uses it. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.timeoutMs ?? DEFAULT_DATABASE_TIMEOUT_MS, options.preparedStatements ?? true, options.onQuery)
    : openPGlite(options);
}

async function openPGlite({ dataDir, loadDataDir, onQuery }: DatabaseOptions): Promise<Database> {
  const unlock = dataDir ? await lockDataDir(dataDir) : async () => undefined;
  // Each database's driver is loaded only when it is the one in use.
  const [{ AdapterPGlite }, { PrismaPGlite }] = await Promise.all([import("./infra/pglite.ts"), import("pglite-prisma-adapter")]);
  // PGlite's Postgres starts with shared_buffers at 128 MB and touches all of it: ~120 MB of the
  // process's memory for a cache a key service's working set never fills. 32 MB measured the same
  // RSS as 8 or 16 MB (~240 MB open, against ~360 MB) and opens faster.
  const startParams = [...AdapterPGlite.defaultStartParams, "-c", "shared_buffers=32MB"];
  const pglite = new AdapterPGlite(dataDir, { startParams, ...(loadDataDir ? { loadDataDir } : {}) });
  await pglite.waitReady;
  const migrated = await migrate({
    exec: async (sql) => void (await pglite.exec(sql)),
    query: async <T>(sql: string, params?: unknown[]) => (await pglite.query<T>(sql, params)).rows,
  });
  const adapter = new PrismaPGlite(pglite);
  const prisma = prismaClient(adapter, onQuery);
  return {
    prisma,
    byKeyId: byKeyIdOnPGlite(pglite, onQuery),
    kind: "pglite",
    migrated,
    close: async () => {
      await prisma.$disconnect();
      await pglite.close();
      await unlock();
    },
  };
}

async function openPostgres(connectionString: string, timeoutMs: number, prepared: boolean, onQuery?: (sql: string) => void): Promise<Database> {
  // Migrations (and waiting for another instance's, behind their lock) may take longer than
  // any request should: their own connection, without the statement timeouts.
  const [{ default: pg }, { PrismaPg }] = await Promise.all([import("pg"), import("@prisma/adapter-pg")]);
  const sockets = new Sockets();
  const client = new pg.Client({ ...connectionOptions(connectionString, timeoutMs, sockets), query_timeout: undefined });
  let migrated: string[];
  try {
    await client.connect();
    migrated = await migrate(pgConnection(client));
  } finally {
    await client.end().catch(() => undefined);
    sockets.destroyAll();
  }
  const { pool, close } = openPool(connectionString, timeoutMs);
  // Starting a transaction waits for a pooled connection no longer than anything else does.
  // Statements that repeat are prepared once per connection (parsed and planned once there).
  const adapter = new PrismaPg(pool, prepared ? { statementNameGenerator: statementNames() } : undefined);
  const prisma = prismaClient(adapter, onQuery, { ...transactionOptions, maxWait: timeoutMs });
  const connection = await adapter.connect();
  return {
    prisma,
    byKeyId: byKeyIdOnPostgres(connection, onQuery),
    kind: "postgresql",
    migrated,
    close: async () => {
      await prisma.$disconnect();
      await connection.dispose();
      await close();
    },
  };
}

function pgConnection(client: pg.ClientBase): SqlConnection {
  return {
    exec: async (sql) => void (await client.query(sql)),
    query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
  };
}

/**
 * PGlite is a single-process database: two processes on one data directory would corrupt it.
 * A pid file beside the directory refuses a second Keyward; a stale one (process gone, e.g.
 * after kill -9) is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockFile = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: "wx" });
      return () => rm(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number(await readFile(lockFile, "utf8").catch(() => ""));
      if (pid && pid !== process.pid && isRunning(pid)) {
        throw new Error(`Another Keyward (pid ${pid}) is using ${dataDir}; stop it first, or set KEYWARD_DATA_DIR.`);
      }
      await rm(lockFile, { force: true });
    }
  }
  throw new Error(`Could not lock ${dataDir}.`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

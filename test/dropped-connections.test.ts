import pg from "pg";
import { describe, expect, it } from "vitest";
import { unexpected } from "../server/errors.ts";
import { Prisma } from "../server/generated/prisma/client.ts";
import { mutation } from "./helpers/http.ts";
import type { ProxiedConnection } from "./helpers/cuttable-proxy.ts";
import { proxiedKeyward, until, type Answer, type ProxiedKeyward } from "./helpers/proxied.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";

const onPostgres = Boolean(process.env.DATABASE_URL);
const VIEWER = `{ viewer { role } }`;
const RENAME = mutation("renameApiKey", "{ apiKey { name } }");
const pool = (c: ProxiedConnection) => !c.applicationName?.startsWith("keyward-listener-");

function expectUnavailable(answer: Answer, what: string) {
  expect({ status: answer.status, code: answer.code }, `${what}: ${answer.text}`).toEqual({ status: 503, code: "UNAVAILABLE" });
  expect(Number(answer.headers.get("retry-after")), what).toBeGreaterThan(0);
  expect(answer.text, what).not.toMatch(/127\.0\.0\.1|closed the connection|terminat|57P01|ECONN|prisma|stack/i);
}

/** Waits until the instance's request is on the wire: bytes dropped into the black hole. */
async function waitForDroppedQuery(a: ProxiedKeyward) {
  const sent = await until(async () => a.proxy.connections.some((c) => c.blackHoled && c.dropped > 0), Boolean, 5_000, 10);
  expect(sent.seen).toBe(true);
}

/** The instance's backend that is waiting for a lock (a statement in mid-flight), by its proxied port. */
async function waitForLockedBackend(a: ProxiedKeyward, admin: pg.Client): Promise<number> {
  const found = await until(
    async () => {
      const ports = a.proxy.connections.filter(pool).map((c) => c.upstream?.localPort).filter((p): p is number => p !== undefined);
      const { rows } = await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[]) AND wait_event_type = 'Lock'`,
        [ports],
      );
      return rows[0]?.pid;
    },
    (pid) => pid !== undefined,
    5_000,
    20,
  );
  expect(found.value).toBeDefined();
  return found.value!;
}

describe.runIf(onPostgres)("connections dropped in the middle of an operation", () => {
  it("answer 503 UNAVAILABLE, never 500, and the next requests are served without a restart", async () => {
    // A long heartbeat: this test is about the pool's connections, not the listener's.
    const a = await proxiedKeyward({ KEYWARD_LISTENER_HEARTBEAT_MS: "60000" });
    // One connection holds a row lock; the other watches (pg_stat_activity is a snapshot per transaction).
    const [locker, admin] = [new pg.Client({ connectionString: process.env.DATABASE_URL }), new pg.Client({ connectionString: process.env.DATABASE_URL })];
    await Promise.all([locker.connect(), admin.connect()]);
    try {
      const org = await seedOrganization("Dropped");
      const cold = await Promise.all([1, 2, 3].map(() => seedOrganization("Cold")));
      expect((await a.ask("/graphql", VIEWER, org.adminKey)).status).toBe(200);

      // 1. The connection is reset while a key lookup waits for its answer ("Server has closed the connection.").
      a.proxy.blackHole(pool);
      const lookup = a.ask("/graphql", VIEWER, cold[0]!.adminKey);
      await waitForDroppedQuery(a);
      a.proxy.reset((c) => c.blackHoled);
      a.proxy.endBlackHole();
      expectUnavailable(await lookup, "reset during authentication");
      expect((await a.ask("/graphql", VIEWER, cold[1]!.adminKey)).status).toBe(200);

      // 2. The backend is terminated (57P01, as on a failover or by an operator) while a mutation waits for a lock.
      const key = await createKey(org.adminKey, { name: "locked" });
      await locker.query("BEGIN");
      await locker.query(`SELECT 1 FROM "ApiKey" WHERE "id" = $1 FOR UPDATE`, [key.id]);
      const rename = a.ask("/graphql", RENAME, org.adminKey, { i: { id: key.id, name: "renamed" } });
      const pid = await waitForLockedBackend(a, admin);
      await admin.query("SELECT pg_terminate_backend($1)", [pid]);
      expectUnavailable(await rename, "terminated during a mutation");
      await locker.query("ROLLBACK");

      // 3. The connection is reset while a mutation waits for a lock.
      await locker.query("BEGIN");
      await locker.query(`SELECT 1 FROM "ApiKey" WHERE "id" = $1 FOR UPDATE`, [key.id]);
      const again = a.ask("/graphql", RENAME, org.adminKey, { i: { id: key.id, name: "renamed again" } });
      const lockedPid = await waitForLockedBackend(a, admin);
      const { rows } = await admin.query<{ port: number }>("SELECT client_port AS port FROM pg_stat_activity WHERE pid = $1", [lockedPid]);
      expect(a.proxy.reset((c) => c.upstream?.localPort === rows[0]!.port)).toBe(1);
      expectUnavailable(await again, "reset during a mutation");
      await locker.query("ROLLBACK");

      // Every idle connection of the instance terminated at once: the pool notices and reconnects.
      const ports = a.proxy.connections.filter(pool).map((c) => c.upstream?.localPort);
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE client_port = ANY($1::int[])", [ports]);
      const served = await until(() => a.ask("/graphql", VIEWER, cold[2]!.adminKey), (r) => r.status !== 503, 5_000);
      expect(served.value.status, served.value.text).toBe(200);
      const renamed = await a.ask("/graphql", RENAME, org.adminKey, { i: { id: key.id, name: "renamed at last" } });
      expect(renamed.body?.data?.renameApiKey.apiKey.name).toBe("renamed at last");
    } finally {
      await Promise.all([locker.end(), admin.end()]);
      await a.close();
    }
  }, 60_000);
});

describe("what counts as the database being unavailable", () => {
  const known = (code: string, driverAdapterError?: unknown) =>
    new Prisma.PrismaClientKnownRequestError("…", { code, clientVersion: "7", meta: driverAdapterError ? { driverAdapterError } : {} });
  const adapter = (cause: Record<string, unknown>) => ({ name: "DriverAdapterError", cause });
  const sqlstate = (code: string) => Object.assign(new pg.DatabaseError("…", 0, "error"), { code, severity: "FATAL" });
  const socket = (code: string) => Object.assign(new Error(`connect ${code} 10.0.0.1:5432`), { code, errno: -1, syscall: "connect" });

  it.each<[string, unknown]>([
    ["Prisma: can't reach the server", known("P1001")],
    ["Prisma: server closed the connection", known("P1017")],
    ["Prisma: socket timeout", known("P1008")],
    ["Prisma: transaction not started in time", known("P2028")],
    ["Prisma: too many connections", known("P2037")],
    ["raw query, connection closed", known("P2010", adapter({ kind: "ConnectionClosed" }))],
    ["raw query, administrator shutdown", known("P2010", adapter({ kind: "postgres", originalCode: "57P01" }))],
    ["model query, crash shutdown", known("P2039", adapter({ kind: "postgres", originalCode: "57P02" }))],
    ["starting up", sqlstate("57P03")],
    ["connection failure", sqlstate("08006")],
    ["statement timeout", sqlstate("57014")],
    ["lock timeout", sqlstate("55P03")],
    ["idle in transaction too long", sqlstate("25P03")],
    ["read-only after a failover", sqlstate("25006")],
    ["too many clients", sqlstate("53300")],
    ...["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH"].map((code): [string, unknown] => [`socket ${code}`, socket(code)]),
    ["wrapped in a cause", new Error("outer", { cause: socket("ECONNRESET") })],
    ["pg: connection lost", new Error("Connection terminated unexpectedly")],
    ["pg: connect timeout", new Error("Connection terminated due to connection timeout")],
    ["pg: query timeout", new Error("Query read timeout")],
    ["pg: pool exhausted", new Error("timeout exceeded when trying to connect")],
    ["pg: pool closed", new Error("Cannot use a pool after calling end on the pool")],
  ])("%s: 503 UNAVAILABLE with Retry-After", (_name, error) => {
    const answer = unexpected(error);
    expect(answer.extensions).toMatchObject({ code: "UNAVAILABLE", http: { status: 503, headers: { "Retry-After": expect.stringMatching(/^\d+$/) } } });
  });

  it.each<[string, unknown]>([
    ["a unique violation", known("P2002")],
    ["a record not found", known("P2025")],
    ["a syntax error in raw SQL", known("P2010", adapter({ kind: "postgres", originalCode: "42601" }))],
    ["a programming error", new TypeError("Cannot read properties of undefined")],
    ["an error that merely mentions a timeout", new Error("Query read timeout exceeded by the caller's own code", { cause: "x" })],
  ])("%s: 500 INTERNAL_SERVER_ERROR", (_name, error) => {
    expect(unexpected(error).extensions).toMatchObject({ code: "INTERNAL_SERVER_ERROR", http: { status: 500 } });
  });
});

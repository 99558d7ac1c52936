import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { inject } from "vitest";
import { loadConfig, type Config } from "../../server/config.ts";
import { openDatabase, type Database } from "../../server/db.ts";
import { FailureLimiter, type RateLimits } from "../../server/infra/rateLimit.ts";
import { createLogger } from "../../server/infra/logger.ts";
import { createServices, type Services } from "../../server/services.ts";
import type { UsageTracker } from "../../server/infra/usageTracker.ts";
import { nodeListener } from "../../server/http/routes.ts";
import { createKeywardYoga, type KeywardYoga } from "../../server/yoga.ts";

export interface TestServer {
  yoga: KeywardYoga;
  db: Database;
  services: Services;
  usage: UsageTracker;
  config: Config;
}

let server: Promise<TestServer> | undefined;

/** Throttling has its own tests; elsewhere every test shares one client address and presents wrong keys on purpose. */
export const generousRateLimits = (): RateLimits => ({
  invitations: new FailureLimiter(10_000, 60_000),
  signUps: new FailureLimiter(10_000, 60_000),
  authByClient: new FailureLimiter(100_000, 60_000),
  authByKeyId: new FailureLimiter(100_000, 60_000),
});

/** Every SQL statement the worker's server sent to the database, in order (tests may clear it). */
export const queryLog: string[] = [];

/** The worker's one Keyward: the real Yoga server on a real database (PGlite, or PostgreSQL with DATABASE_URL). */
export function testServer(): Promise<TestServer> {
  server ??= start();
  return server;
}

async function start(): Promise<TestServer> {
  const config = loadConfig({ KEYWARD_SIGNUP: "open", DATABASE_URL: process.env.DATABASE_URL });
  const snapshot = inject("pgliteSnapshot");
  const onQuery = (sql: string) => queryLog.push(sql);
  const db = await openDatabase(
    config.databaseUrl
      ? { databaseUrl: config.databaseUrl, onQuery }
      : { loadDataDir: new Blob([await readFile(snapshot)]), onQuery },
  );
  // No usage flush timer: tests flush explicitly when they need the database to see usage.
  const services = createServices(db, config, { logger: createLogger("warn"), rateLimits: generousRateLimits() });
  if (config.databaseUrl) await services.keyChanges.listen(config.databaseUrl);
  return { yoga: createKeywardYoga(services), db, services, usage: services.usage, config };
}

/**
 * Tests that move time by editing rows directly (an expiry, a grace period) bypass the API,
 * so they tell the verification cache, as every API change does.
 */
export async function editedDirectly(keyIds: string[]): Promise<void> {
  const { services } = await testServer();
  services.keyChanges.apply({ keyIds });
}

/** Serves a Yoga on a free loopback port, for clients that need a real URL (browsers, MCP, the CLI). */
export async function listen(yoga: KeywardYoga): Promise<{ server: Server; origin: string }> {
  const server = createServer(nodeListener(yoga));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return { server, origin: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}` };
}

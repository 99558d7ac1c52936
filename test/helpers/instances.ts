import { randomUUID } from "node:crypto";
import { CHANNEL } from "../../server/auth/changes.ts";
import { loadConfig } from "../../server/config.ts";
import { openDatabase, type Database } from "../../server/db.ts";
import { createLogger } from "../../server/infra/logger.ts";
import { createServices, type Services } from "../../server/services.ts";
import { createKeywardYoga, type KeywardYoga } from "../../server/yoga.ts";
import { request, type GraphQLResponse, type RequestOptions } from "./http.ts";
import { generousRateLimits, testServer } from "./server.ts";

/** One Keyward process as a load balancer sees it: its own Yoga, key cache and change listener. */
export interface Instance {
  /** For assertion messages: "instance 1", "instance 2". */
  name: string;
  yoga: KeywardYoga;
  services: Services;
  request<T = Record<string, any>>(query: string, options?: Pick<RequestOptions, "key" | "variables">): Promise<GraphQLResponse<T>>;
}

export interface OwnInstance extends Instance {
  db: Database;
  /** Stops the listener and closes the pool. */
  close(): Promise<void>;
}

function instance(name: string, yoga: KeywardYoga, services: Services): Instance {
  return {
    name,
    yoga,
    services,
    request: <T = Record<string, any>>(query: string, options: Pick<RequestOptions, "key" | "variables"> = {}) =>
      request<T>(yoga, query, { ...options, url: `http://${name.replace(/\s/g, "-")}.test/graphql` }),
  };
}

/** The worker's `testServer()`, seen as an instance. */
export async function firstInstance(): Promise<Instance> {
  const { yoga, services } = await testServer();
  return instance("instance 1", yoga, services);
}

/**
 * A second, independent Keyward in this process on the same PostgreSQL: its own pool, its own
 * KeyCache, its own LISTEN connection — what a second process behind a load balancer would have.
 * Throttling is as generous as the worker's, since race checks present stale secrets on purpose.
 */
export async function secondInstance(databaseUrl: string, name = "instance 2"): Promise<OwnInstance> {
  const config = loadConfig({ KEYWARD_SIGNUP: "open", DATABASE_URL: databaseUrl });
  const db = await openDatabase({ databaseUrl });
  const services = createServices(db, config, { logger: createLogger("warn"), rateLimits: generousRateLimits() });
  await services.keyChanges.listen(databaseUrl);
  return {
    ...instance(name, createKeywardYoga(services), services),
    db,
    async close() {
      await services.keyChanges.stop();
      await db.close();
    },
  };
}

/**
 * Waits until every instance has applied every key change committed before this call.
 *
 * PostgreSQL delivers notifications in commit order, so once an instance's listener has handled
 * a marker notified now, it has handled every change committed earlier. The marker invalidates a
 * sentinel entry put in each cache for the purpose; seeing it gone is seeing the marker arrive.
 * This orders nothing between requests under test: it only lets a check say "refused on every
 * instance" without sleeping and hoping the notifications have landed.
 */
export async function settled(instances: Instance[], timeoutMs = 10_000): Promise<void> {
  const sentinel = `barrier-${randomUUID()}`;
  for (const { services } of instances) {
    const cache = services.verifier.cache;
    // A negative entry whose lifetime is counted from an hour ahead, so only the marker removes it.
    cache.set(sentinel, null, cache.epoch(), Date.now() + 3_600_000);
  }
  const payload = JSON.stringify({ from: "race-barrier", keyIds: [sentinel] });
  await instances[0]!.services.prisma.$executeRaw`SELECT pg_notify(${CHANNEL}, ${payload})`;
  const started = performance.now();
  for (const { name, services } of instances) {
    while (services.verifier.cache.peek(sentinel) !== undefined) {
      if (performance.now() - started > timeoutMs) throw new Error(`${name} did not receive key changes within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}

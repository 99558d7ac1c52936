import { describe, expect, it } from "vitest";
import { mutation } from "./helpers/http.ts";
import { proxiedKeyward, until, type Answer } from "./helpers/proxied.ts";
import { seedOrganization } from "./helpers/seed.ts";

const onPostgres = Boolean(process.env.DATABASE_URL);
const VIEWER = `{ viewer { role } }`;
const CREATE = mutation("createApiKey", "{ secret }");

/** 503 UNAVAILABLE with Retry-After, in bounded time, and nothing of the cause in the body. */
function expectUnavailable(answer: Answer, what: string) {
  expect({ status: answer.status, code: answer.code }, `${what}: ${answer.text}`).toEqual({ status: 503, code: "UNAVAILABLE" });
  expect(Number(answer.headers.get("retry-after")), what).toBeGreaterThan(0);
  expect(answer.ms, what).toBeLessThan(5_000);
  expect(answer.text, what).not.toMatch(/127\.0\.0\.1|localhost|5432|ECONN|prisma|stack|node_modules|timeout/i);
}

describe.runIf(onPostgres)("the database becomes a black hole (connections open, nothing flows)", () => {
  it("answers 503 UNAVAILABLE with Retry-After within the database timeout, recovers by itself, and closes in bounded time", async () => {
    const a = await proxiedKeyward({ KEYWARD_DATABASE_TIMEOUT_MS: "1000", KEYWARD_LISTENER_HEARTBEAT_MS: "500" });
    let closing: Promise<void> | undefined;
    try {
      const warm = await seedOrganization("Black hole");
      const cold = await seedOrganization("Never seen");
      expect((await a.ask("/graphql", VIEWER, warm.adminKey)).status).toBe(200);

      a.proxy.blackHole();
      // A key the instance never saw needs the database to authenticate; a mutation needs it to write.
      expectUnavailable(await a.ask("/graphql", VIEWER, cold.adminKey, undefined, 8_000), "cold key");
      expectUnavailable(await a.ask("/graphql", CREATE, warm.adminKey, { i: { name: "during the black hole" } }, 8_000), "mutation");
      // A wrong secret for a key in memory is refused from memory, but counting it needs the shared throttle's table.
      const wrongSecret = `${warm.adminKey.slice(0, -1)}${warm.adminKey.endsWith("A") ? "B" : "A"}`;
      expectUnavailable(await a.ask("/graphql", VIEWER, wrongSecret, undefined, 8_000), "wrong secret, shared throttle");
      // Several at once: none waits behind another's lost connection for longer than the timeout.
      const many = await Promise.all(Array.from({ length: 12 }, () => a.ask("/graphql", VIEWER, cold.adminKey, undefined, 8_000)));
      many.forEach((answer, i) => expectUnavailable(answer, `parallel ${i}`));
      expect((await a.ask("/readyz", undefined, undefined, undefined, 8_000)).status).toBe(503);

      // The network heals: the same process serves again, no restart.
      a.proxy.endBlackHole();
      const back = await until(() => a.ask("/graphql", VIEWER, cold.adminKey, undefined, 8_000), (r) => r.status === 200, 15_000);
      expect(back.value.status, back.value.text).toBe(200);
      const created = await a.ask("/graphql", CREATE, warm.adminKey, { i: { name: "after the black hole" } });
      expect(created.body?.data?.createApiKey.secret).toMatch(/^kw_live_/);

      // Shutting down while every connection hangs (one request in flight) still ends, and soon.
      a.proxy.blackHole();
      const inFlight = a.ask("/graphql", CREATE, warm.adminKey, { i: { name: "in flight at shutdown" } }, 8_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = performance.now();
      closing = a.keyward.close();
      const closed = await Promise.race([closing.then(() => "closed"), new Promise((resolve) => setTimeout(() => resolve("hung"), 8_000))]);
      expect(closed).toBe("closed");
      expect(performance.now() - started).toBeLessThan(5_000);
      expect([200, 503]).toContain((await inFlight).status);
    } finally {
      await a.proxy.cut();
      if (!closing) await a.close();
    }
  }, 90_000);
});

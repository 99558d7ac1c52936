import { describe, expect, it } from "vitest";
import { gql, mutation } from "./helpers/http.ts";
import { proxiedKeyward, until, type ProxiedKeyward } from "./helpers/proxied.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";

const onPostgres = Boolean(process.env.DATABASE_URL);
const VIEWER = `{ viewer { apiKey { id } } }`;
const REVOKE = mutation("revokeApiKey", "{ apiKey { status } }");
const isListener = (c: { applicationName: string | undefined }) => c.applicationName?.startsWith("keyward-listener-") ?? false;

/** Uses `secret` on `a` until the key is answered from memory (a cache hit), so a missed change would show. */
async function warm(a: ProxiedKeyward, secret: string) {
  const hits = async () => Number(/^keyward_key_cache_hits_total (\d+)$/m.exec((await a.ask("/metrics")).text)?.[1]);
  const warmed = await until(
    async () => {
      const before = await hits();
      expect((await a.ask("/graphql", VIEWER, secret)).status).toBe(200);
      return (await hits()) > before;
    },
    Boolean,
    5_000,
  );
  expect(warmed.seen).toBe(true);
}

describe.runIf(onPostgres)("the key change listener dies silently", () => {
  it("notices within seconds, refuses keys revoked elsewhere, is not ready until it reconnects, and then hears changes again", async () => {
    // Instance A listens through a proxy; the worker's own server is instance B, where keys are revoked.
    const a = await proxiedKeyward({ KEYWARD_LISTENER_HEARTBEAT_MS: "200", KEYWARD_DATABASE_TIMEOUT_MS: "1000" });
    try {
      const org = await seedOrganization("Listener");
      const key = await createKey(org.adminKey, { name: "revoked elsewhere" });
      await warm(a, key.secret);
      expect((await a.ask("/readyz")).status).toBe(200);

      // A NAT or firewall forgets the listener's connection: no reset, nothing arrives any more.
      a.proxy.blackHole(isListener);
      expect(a.proxy.connections.filter((c) => c.blackHoled)).toHaveLength(1);
      expect((await gql(REVOKE, { key: org.adminKey, variables: { i: { id: key.id } } })).data?.revokeApiKey.apiKey.status).toBe("REVOKED");

      const refused = await until(() => a.ask("/graphql", VIEWER, key.secret), (r) => r.status === 403, 8_000);
      expect([refused.value.status, refused.value.code]).toEqual([403, "API_KEY_REVOKED"]);
      // Heartbeat every 200 ms, answered within 1 s: found out in about a second, not in 60 s (the cache's lifetime).
      expect(refused.ms).toBeLessThan(5_000);
      const down = await a.ask("/readyz");
      expect(down.status).toBe(503);
      expect(down.text).toMatch(/listener/i);
      expect(down.text).not.toMatch(/127\.0\.0\.1|5432|ECONN|Error|stack/);
      const metrics = (await a.ask("/metrics")).text;
      expect(metrics).toMatch(/^keyward_key_listener_up 0$/m);

      // The network heals: the instance reconnects by itself and says so.
      a.proxy.endBlackHole();
      const ready = await until(() => a.ask("/readyz"), (r) => r.status === 200, 15_000);
      expect(ready.value.status).toBe(200);
      const healed = (await a.ask("/metrics")).text;
      expect(healed).toMatch(/^keyward_key_listener_up 1$/m);
      expect(Number(/^keyward_key_listener_reconnects_total (\d+)$/m.exec(healed)?.[1])).toBeGreaterThanOrEqual(1);

      // And hears other instances again: a key warmed here and revoked there is refused here at once.
      const second = await createKey(org.adminKey, { name: "revoked after the healing" });
      await warm(a, second.secret);
      await gql(REVOKE, { key: org.adminKey, variables: { i: { id: second.id } } });
      const heard = await until(() => a.ask("/graphql", VIEWER, second.secret), (r) => r.status === 403, 2_000, 20);
      expect([heard.value.status, heard.value.code]).toEqual([403, "API_KEY_REVOKED"]);
    } finally {
      await a.close();
    }
  }, 60_000);
});

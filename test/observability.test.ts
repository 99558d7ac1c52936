import { describe, expect, it } from "vitest";
import { createLogger } from "../server/infra/logger.ts";
import { createKeywardYoga } from "../server/yoga.ts";
import { post, send } from "./helpers/http.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";
import { testServer } from "./helpers/server.ts";

describe("health, metrics and request logs", () => {
  it("serves /healthz and /readyz, counts authentications and cache hits, and logs one redacted line per request", async () => {
    const { services } = await testServer();
    const lines: string[] = [];
    const yoga = createKeywardYoga({ ...services, logger: createLogger("info", (l) => lines.push(l)) });
    const org = await seedOrganization();
    const { secret } = await createKey(org.adminKey, {});
    const call = (headers: Record<string, string>, operationName = "WhoAmI") =>
      send(yoga, post(`query ${operationName} { viewer { role } }`, headers, undefined, operationName));

    expect((await yoga.fetch("http://keyward.test/healthz")).status).toBe(200);
    expect((await yoga.fetch("http://keyward.test/readyz")).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await call({ "x-api-key": secret })).status).toBe(200);
    expect((await call({ "x-api-key": "kw_live_wrong" })).status).toBe(401);
    expect((await call({})).status).toBe(401);

    const metrics = await (await yoga.fetch("http://keyward.test/metrics")).text();
    const value = (pattern: RegExp) => Number(pattern.exec(metrics)?.[1] ?? NaN);
    expect(value(/keyward_authentications_total\{outcome="valid"\} (\d+)/)).toBeGreaterThanOrEqual(3);
    expect(value(/keyward_authentications_total\{outcome="unauthenticated"\} (\d+)/)).toBeGreaterThanOrEqual(1);
    expect(value(/keyward_authentications_total\{outcome="anonymous"\} (\d+)/)).toBeGreaterThanOrEqual(1);
    expect(value(/keyward_key_cache_hits_total (\d+)/)).toBeGreaterThanOrEqual(2);
    // Not one of the SDK's operation names: counted, under `other` (test/metrics.test.ts).
    expect(metrics).toMatch(/graphql_envelop_request\{[^}]*operationName="other"/);

    const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "request");
    // A bad key is refused before the body is parsed, so its line has no operation name.
    expect(requests.map((l) => [l.operation, l.status])).toEqual([
      ["WhoAmI", 200],
      ["WhoAmI", 200],
      ["WhoAmI", 200],
      [null, 401],
      ["WhoAmI", 401],
    ]);
    expect(requests.every((l) => typeof l.ms === "number" && l.path === "/graphql")).toBe(true);
    expect(lines.join("\n")).not.toContain(secret.slice(21));
  });
});

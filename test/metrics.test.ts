import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Kind, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../server/config.ts";
import { createLogger } from "../server/infra/logger.ts";
import { createMetrics } from "../server/infra/metrics.ts";
import { operationsDir } from "../server/mcp/tools.ts";
import { knownOperationNames } from "../server/http/requestMetrics.ts";
import { schema } from "../server/schema/index.ts";
import { createServices } from "../server/services.ts";
import { createKeywardYoga, type KeywardYoga } from "../server/yoga.ts";
import { post, send } from "./helpers/http.ts";
import { seedOrganization } from "./helpers/seed.ts";
import { testServer } from "./helpers/server.ts";

/** Every sample line of /metrics: one per series (and per histogram bucket). */
async function samples(yoga: KeywardYoga): Promise<string[]> {
  const response = await yoga.fetch("http://keyward.test/metrics");
  expect(response.status).toBe(200);
  return (await response.text()).split("\n").filter((line) => line !== "" && !line.startsWith("#"));
}

/**
 * What a scraper of the internet sends: a new query string, operation name, alias and path per
 * request, with and without a key, valid and invalid documents, GET and POST.
 */
async function varied(yoga: KeywardYoga, key: string, tag: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const name = `Op${tag}${i}`;
    const call = (path: string, query: string, operationName: string | undefined, headers: Record<string, string>) =>
      send(yoga, post(query, headers, undefined, operationName), `http://keyward.test${path}`);
    await call(`/graphql?cache=${tag}${i}`, `query ${name} { viewer { role } }`, name, { "x-api-key": key });
    await call(`/graphql?utm=${tag}${i}`, `query ${name} { alias${tag}${i}: viewer { role } }`, name, {});
    await call(`/graphql?x=${tag}${i}`, `query ${name} { __typename }`, `Not${name}`, {});
    await call(`/graphql`, `query ${name} { nope${tag}${i} }`, name, { "x-api-key": key });
    await call(`/graphql`, `{ apiKey(id: "${tag}${i}") { id } ${tag}x${i}: apiKey(id: 1) { id } }`, undefined, { "x-api-key": key });
    await call(`/unknown/${tag}${i}`, `{ __typename }`, undefined, {});
    await yoga.fetch(`http://keyward.test/graphql?query=${encodeURIComponent(`query ${name} { __typename }`)}&r=${tag}${i}`, {
      headers: { accept: "application/json" },
    });
  }
}

describe("request metrics", () => {
  it("keep a bounded set of series, whatever URLs, query strings and operation names callers send", { timeout: 120_000 }, async () => {
    const { services } = await testServer();
    // A registry of its own, so other tests in this worker do not add series meanwhile.
    const yoga = createKeywardYoga({ ...services, metrics: createMetrics(services.verifier.cache, true), logger: createLogger("error") });
    const org = await seedOrganization();

    await varied(yoga, org.adminKey, "a", 8);
    const first = await samples(yoga);
    await varied(yoga, org.adminKey, "b", 8);
    const second = await samples(yoga);

    expect(second.length, "new series appeared for new URLs or operation names").toBe(first.length);
    const text = second.join("\n");
    for (const caller of ["cache=", "utm=", "Opa1", "Opb1", "aliasa1", "nopea1", "/unknown"]) expect(text).not.toContain(caller);
    // Labels come from closed sets: the route, a known operation name or `other`, the status class.
    for (const [, label, value] of text.matchAll(/(\w+)="([^"]*)"/g)) {
      if (label === "le" || label === "quantile" || label === "outcome") continue;
      expect({ [label!]: value }).toEqual({
        [label!]: expect.stringMatching(
          {
            route: /^(\/graphql|\/mcp|other)$/,
            operationName: /^(anonymous|other|[A-Z][A-Za-z]+)$/,
            operationType: /^(query|mutation|subscription|unknown)$/,
            method: /^(GET|POST|HEAD|OPTIONS|other)$/,
            status: /^[1-5]xx$/,
            phase: /^(parse|validate|context|execute|subscribe)$/,
          }[label!] ?? /^$/,
        ),
      });
    }
  });

  it("know every operation the SDK sends by name", () => {
    const sdk = readdirSync(operationsDir)
      .filter((file) => file.endsWith(".graphql"))
      .flatMap((file) => parse(readFileSync(join(operationsDir, file), "utf8")).definitions)
      .flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : []));
    expect(sdk.length).toBeGreaterThan(20);
    expect([...knownOperationNames(schema)].sort()).toEqual(expect.arrayContaining(sdk.sort()));
  });

  it("name the SDK's operations, and put every other name under `other`", async () => {
    const { services } = await testServer();
    const yoga = createKeywardYoga({ ...services, metrics: createMetrics(services.verifier.cache, true), logger: createLogger("error") });
    const org = await seedOrganization();
    const run = (query: string, operationName: string) => send(yoga, post(query, { "x-api-key": org.adminKey }, undefined, operationName));
    expect((await run(`query Viewer { viewer { role } }`, "Viewer")).status).toBe(200);
    expect((await run(`query WhoAmI { viewer { role } }`, "WhoAmI")).status).toBe(200);
    const text = (await samples(yoga)).join("\n");
    expect(text).toMatch(/graphql_yoga_http_duration_count\{[^}]*operationName="Viewer"[^}]*status="2xx"/);
    // The process's memory, under prom-client's default names, read when scraped.
    for (const name of ["process_resident_memory_bytes", "nodejs_heap_size_total_bytes", "nodejs_heap_size_used_bytes"]) {
      expect(Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1]), name).toBeGreaterThan(1_000_000);
    }
    expect(text).toMatch(/graphql_envelop_request\{[^}]*operationName="Viewer"/);
    expect(text).toMatch(/graphql_envelop_request\{[^}]*operationName="other"/);
    expect(text).not.toContain("WhoAmI");
  });

  it("record nothing with KEYWARD_METRICS=false, and /metrics is not served", async () => {
    const { services, db } = await testServer();
    const config = loadConfig({ KEYWARD_METRICS: "false" });
    // Built as the server builds its services, sharing only the database and key machinery.
    const off = createServices(db, config, {
      logger: createLogger("error"),
      verifier: services.verifier,
      usage: services.usage,
      keyChanges: services.keyChanges,
      rateLimits: services.rateLimits,
    });
    const yoga = createKeywardYoga(off);
    const org = await seedOrganization();
    await varied(yoga, org.adminKey, "c", 3);
    await send(yoga, post("{ viewer { role } }", { "x-api-key": "kw_live_wrong" }));
    expect((await yoga.fetch("http://keyward.test/metrics")).status).toBe(404);
    expect(await off.metrics.registry.getMetricsAsJSON()).toEqual([]);
  });
});

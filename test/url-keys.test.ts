import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../server/infra/logger.ts";
import { createMetrics } from "../server/infra/metrics.ts";
import { createKeywardYoga, type KeywardYoga } from "../server/yoga.ts";
import { seedOrganization } from "./helpers/seed.ts";
import { listen, testServer } from "./helpers/server.ts";

let server: Server;
let base: string;
let yoga: KeywardYoga;
const lines: string[] = [];

beforeAll(async () => {
  const { services } = await testServer();
  // Its own log and metrics, to look for the key in afterwards.
  yoga = createKeywardYoga({ ...services, metrics: createMetrics(services.verifier.cache, true), logger: createLogger("debug", (l) => lines.push(l)) });
  ({ server, origin: base } = await listen(yoga));
});
afterAll(() => server.close());

/** Every character percent-encoded, as some clients and proxies write it. */
const encodeAll = (text: string) => [...text].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`).join("");

/** Where a key can hide in a URL: any parameter name or value, the path, encoded once or twice. */
function variants(key: string): Array<[string, (path: string) => string]> {
  return [
    ["?api_key=", (p) => `${p}?api_key=${key}`],
    ["?access_token=", (p) => `${p}?access_token=${key}`],
    ["?key=", (p) => `${p}?key=${key}`],
    ["?apiKey=", (p) => `${p}?apiKey=${key}`],
    ["?API_KEY=", (p) => `${p}?API_KEY=${key}`],
    ["?api%5Fkey=", (p) => `${p}?api%5Fkey=${key}`],
    ["the key as a parameter name", (p) => `${p}?${key}`],
    ["a value encoded", (p) => `${p}?token=${encodeAll(key)}`],
    ["a value encoded twice", (p) => `${p}?token=${encodeURIComponent(encodeAll(key))}`],
    ["only the underscores encoded", (p) => `${p}?q=${key.replaceAll("_", "%5f")}`],
    ["after other parameters", (p) => `${p}?a=1&b=2&auth=Bearer%20${key}`],
    ["the path", (p) => `/${key}${p}`],
    ["the path, encoded twice", (p) => `/${encodeURIComponent(encodeAll(key))}${p}`],
    ["the path's end", (p) => `/${key}${p === "/" ? "" : p}/x`],
  ];
}

const percentDecoded = (text: string) => text.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

async function fetchRaw(url: string, init: RequestInit) {
  const response = await fetch(url, init);
  const text = await response.text();
  let code: string | undefined;
  try {
    code = JSON.parse(text)?.errors?.[0]?.extensions?.code;
  } catch {
    code = undefined;
  }
  return { status: response.status, text, code, authenticate: response.headers.get("www-authenticate") };
}

describe("keys in URLs", () => {
  it("are refused with 401 on every path, under any name, encoding or place, and never recorded", { timeout: 120_000 }, async () => {
    const org = await seedOrganization();
    const key = org.adminKey;
    const requests: Array<[string, string, RequestInit]> = [];
    for (const path of ["/graphql", "/healthz", "/readyz", "/metrics", "/unknown", "/"]) {
      for (const [name, place] of variants(key)) {
        const init: RequestInit =
          path === "/graphql"
            ? { method: "POST", headers: { "content-type": "application/json", "x-api-key": key }, body: JSON.stringify({ query: "query Viewer { viewer { role } }" }) }
            : { method: "GET" };
        requests.push([`${path}: ${name}`, place(path), init]);
      }
    }
    // The key where a request for the healthz path ends: Yoga's health check answers any URL that ends so.
    requests.push(["a query ending in /healthz", `/?k=${key}&/healthz`, { method: "GET" }]);
    requests.push(["GraphiQL's page", `/graphql?k=${key}`, { method: "GET", headers: { accept: "text/html" } }]);

    for (const [what, target, init] of requests) {
      const answer = await fetchRaw(`${base}${target}`, init);
      expect([what, answer.status, answer.code], answer.text).toEqual([what, 401, "UNAUTHENTICATED"]);
      expect(answer.authenticate, what).toMatch(/^Bearer /);
      expect(answer.text, what).not.toContain(key.slice(21));
    }

    // Nothing kept anywhere: not in the metrics, not in a log line, in any encoding.
    const secret = key.slice(21, 53);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    for (const recorded of [metrics, lines.join("\n")]) {
      const decoded = percentDecoded(percentDecoded(recorded));
      expect(decoded).not.toContain(secret);
      expect(decoded).not.toContain(org.apiKey.id + "_");
    }
    // The same key in its header is served throughout.
    const served = await fetchRaw(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: JSON.stringify({ query: "{ viewer { role } }" }),
    });
    expect(served.status).toBe(200);
  });

  it("are refused the same way through yoga.fetch, before anything answers", async () => {
    const org = await seedOrganization();
    for (const path of ["/graphql", "/healthz", "/metrics", "/unknown"]) {
      for (const [name, place] of variants(org.adminKey)) {
        if (name.startsWith("the path") && path === "/healthz") continue; // served by Yoga's own health check, before any plugin: the listener refuses these
        const response = await yoga.fetch(`http://keyward.test${place(path)}`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": org.adminKey },
          body: JSON.stringify({ query: "{ viewer { role } }" }),
        });
        expect([path, name, response.status], await response.text()).toEqual([path, name, 401]);
      }
    }
  });
});

describe("on /mcp", () => {
  const listTools = (url: string, headers: Record<string, string> = {}) =>
    fetchRaw(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });

  it("?api_key= works as connector URLs need, and nothing else does", async () => {
    const org = await seedOrganization();
    const key = org.adminKey;
    expect((await listTools(`${base}/mcp?api_key=${key}`)).status).toBe(200);
    expect((await listTools(`${base}/mcp?api_key=${key}&api_key=${key}`)).status).toBe(200);
    expect((await listTools(`${base}/mcp`, { "x-api-key": key })).status).toBe(200);
    for (const [name, place] of variants(key)) {
      if (name === "?api_key=") continue;
      const answer = await listTools(`${base}${place("/mcp")}`, { "x-api-key": key });
      expect([name, answer.status, answer.code], answer.text).toEqual([name, 401, "UNAUTHENTICATED"]);
    }
    // The one accepted parameter does not carry a second copy elsewhere in the URL.
    for (const target of [`/mcp?api_key=${key}&key=${key}`, `/mcp?api_key=${key}&x=${encodeAll(key)}`, `/mcp?x=${key}&api_key=${key}`]) {
      const answer = await listTools(`${base}${target}`);
      expect([target, answer.status]).toEqual([target, 401]);
    }
  });
});

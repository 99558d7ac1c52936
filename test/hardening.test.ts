import { describe, expect, it } from "vitest";
import { formatKey, randomBase62 } from "../server/auth/key.ts";
import { FailureLimiter, SharedFailureLimiter } from "../server/infra/rateLimit.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";
import { queryLog, testServer } from "./helpers/server.ts";
import { gql, mutation, post, send } from "./helpers/http.ts";
import { yogaWith } from "./helpers/yoga.ts";

describe("inputs the database cannot store", () => {
  it("refuses NUL characters and unpaired surrogates anywhere with BAD_USER_INPUT, not a database error (found by the fuzzer)", async () => {
    const org = await seedOrganization();
    const inVariable = await gql(`query($id: ID!) { apiKey(id: $id) { id } }`, { key: org.adminKey, variables: { id: "a\u0000b" } });
    expect([inVariable.status, inVariable.code]).toEqual([400, "BAD_USER_INPUT"]);
    const inDocument = await gql(`{ apiKey(id: "a\\u0000b") { id } }`, { key: org.adminKey });
    expect(inDocument.code).toBe("BAD_USER_INPUT");
    expect(inDocument.status).toBeLessThan(500);
    const { id } = await createKey(org.adminKey, {});
    const surrogate = await gql(mutation("renameApiKey", "{ apiKey { id } }"), {
      key: org.adminKey,
      variables: { i: { id, name: "a\ud800b" } },
    });
    expect([surrogate.status, surrogate.code]).toEqual([400, "BAD_USER_INPUT"]);
    const surrogateLiteral = await gql(`mutation { renameApiKey(input: { id: "${id}", name: "a\\ud800b" }) { apiKey { id } } }`, {
      key: org.adminKey,
    });
    expect(surrogateLiteral.code).toBe("BAD_USER_INPUT");
  });
});

describe("GraphQL over HTTP", () => {
  it("refuses batches (400), mutations over GET (405), text/plain and form POSTs (CSRF), and bodies over the limit (413)", async () => {
    const { yoga } = await testServer();
    const org = await seedOrganization();
    const batch = await send(yoga, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": org.adminKey },
      body: JSON.stringify([{ query: "{ __typename }" }, { query: "{ __typename }" }]),
    });
    expect(batch.status).toBe(400);
    const get = await send(yoga, { method: "GET", headers: { "x-api-key": org.adminKey } }, `http://keyward.test/graphql?query=${encodeURIComponent("mutation { __typename }")}`);
    expect(get.status).toBe(405);

    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const forged = await send(yoga, { method: "POST", headers: { "content-type": contentType }, body: `{"query":"{ __typename }"}` });
      expect(forged.status).toBe(403);
    }

    const big = await send(yoga, post(`{ __typename } # ${"x".repeat(1_100_000)}`, { "x-api-key": org.adminKey }));
    expect(big.status).toBe(413);
    const chunked = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode(`{"query":"{ __typename }","pad":"${"y".repeat(100_000)}`));
        controller.close();
      },
    });
    const streamed = await send(yoga, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: chunked,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    // The same stream, with a valid key, to /mcp (whose transport reads its own body).
    const mcpStreamed = await send(
      yoga,
      {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "x-api-key": org.adminKey },
        body: new ReadableStream({
          start(controller) {
            for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode(`{"jsonrpc":"2.0","pad":"${"y".repeat(100_000)}`));
            controller.close();
          },
        }),
        duplex: "half",
      } as RequestInit,
      "http://keyward.test/mcp",
    );
    expect(mcpStreamed.status).toBe(413);
    const small = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`{"query":"{ __typename }"}`));
        controller.close();
      },
    });
    const ok = await send(yoga, { method: "POST", headers: { "content-type": "application/json" }, body: small, duplex: "half" } as RequestInit);
    expect(ok.body?.data).toEqual({ __typename: "Query" });
  });
});

describe("HTTPS", () => {
  it("refuses plain HTTP before looking at the key, and believes X-Forwarded-Proto only from a trusted proxy", async () => {
    const org = await seedOrganization();
    const strict = await yogaWith({ KEYWARD_REQUIRE_HTTPS: "true" });
    for (const key of [org.adminKey, "kw_live_garbage"]) {
      const plain = await send(strict, post(`{ viewer { role } }`, { "x-api-key": key }));
      expect([plain.status, plain.code]).toEqual([403, "HTTPS_REQUIRED"]);
    }
    const spoofed = await send(strict, post(`{ viewer { role } }`, { "x-api-key": org.adminKey, "x-forwarded-proto": "https" }));
    expect(spoofed.code).toBe("HTTPS_REQUIRED");
    const tls = await send(strict, post(`{ viewer { role } }`, { "x-api-key": org.adminKey }), "https://keyward.test/graphql");
    expect(tls.status).toBe(200);

    const proxied = await yogaWith({ KEYWARD_REQUIRE_HTTPS: "true", KEYWARD_TRUST_PROXY: "true" });
    const viaProxy = await send(proxied, post(`{ viewer { role } }`, { "x-api-key": org.adminKey, "x-forwarded-proto": "https" }));
    expect(viaProxy.body?.data).toEqual({ viewer: { role: "ADMIN" } });
    // The proxy appends what it saw; what the client wrote before that is not believed.
    const prefixed = await send(proxied, post(`{ viewer { role } }`, { "x-api-key": org.adminKey, "x-forwarded-proto": "https, http" }));
    expect(prefixed.code).toBe("HTTPS_REQUIRED");
  });
});

describe("production defaults", () => {
  it("closes introspection, GraphiQL and CORS, and hides suggestions from callers without a key", async () => {
    const org = await seedOrganization();
    const production = await yogaWith({ NODE_ENV: "production", KEYWARD_REQUIRE_HTTPS: "false" });
    const introspection = await send(production, post(`{ __schema { types { name } } }`, { "x-api-key": org.adminKey }));
    expect(introspection.code).toBe("BAD_USER_INPUT");
    const graphiql = await send(production, { method: "GET", headers: { accept: "text/html" } });
    expect(graphiql.text).not.toMatch(/graphiql/i);
    const preflight = await production.fetch("http://keyward.test/graphql", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();

    const typo = `{ viewr { role } }`;
    const anonymous = await send(production, post(typo));
    expect(anonymous.code).toBe("BAD_USER_INPUT");
    expect(anonymous.text).not.toMatch(/Did you mean/);
    const withKey = await send(production, post(typo, { "x-api-key": org.adminKey }));
    expect(withKey.text).toMatch(/Did you mean/);
  });

  it("allows exactly the configured CORS origins", async () => {
    const open = await yogaWith({ KEYWARD_CORS_ORIGINS: "https://app.example.com" });
    const preflight = (origin: string) =>
      open.fetch("http://keyward.test/graphql", {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "x-api-key,content-type" },
      });
    expect((await preflight("https://app.example.com")).headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect((await preflight("https://evil.example")).headers.get("access-control-allow-origin")).not.toBe("https://evil.example");
  });
});

describe("sign-up throttling", () => {
  it("answers 429 to a client that signs up too often", async () => {
    const yoga = await yogaWith({ KEYWARD_TRUST_PROXY: "true" }, { signUps: new FailureLimiter(2, 60_000) });
    const signUp = () =>
      send(
        yoga,
        post(`mutation { signUp(input: { organizationName: "Spam", email: "s-${crypto.randomUUID()}@example.com" }) { organization { id } } }`, {
          "x-forwarded-for": "203.0.113.77",
        }),
      );
    expect((await signUp()).status).toBe(200);
    expect((await signUp()).status).toBe(200);
    const limited = await signUp();
    expect([limited.status, limited.code]).toEqual([429, "RATE_LIMITED"]);
  });
});

describe("throttling shared by instances", () => {
  it("counts failures from every instance on one database", async () => {
    const { db } = await testServer();
    const scope = `test-${crypto.randomUUID()}`;
    // Two instances: two limiters of their own over the same table.
    const a = new SharedFailureLimiter(db.prisma, scope, 3, 60_000);
    const b = new SharedFailureLimiter(db.prisma, scope, 3, 60_000);
    // `fail` says when the count (from both instances) reaches the limit: the third, and only it.
    expect(await a.fail("198.51.100.1")).toBe(false);
    expect(await b.fail("198.51.100.1")).toBe(false);
    await a.assertAllowed("198.51.100.1");
    expect(await b.fail("198.51.100.1")).toBe(true);
    await expect(a.assertAllowed("198.51.100.1")).rejects.toMatchObject({ extensions: { code: "RATE_LIMITED" } });
    await expect(b.assertAllowed("198.51.100.1")).rejects.toMatchObject({ extensions: { code: "RATE_LIMITED" } });
    await b.assertAllowed("198.51.100.2");
  });
});

describe("failed-authentication throttling", () => {
  it("answers 429 with Retry-After to a client that keeps failing, while valid keys are served throughout", async () => {
    const org = await seedOrganization();
    const yoga = await yogaWith({ KEYWARD_TRUST_PROXY: "true" }, { authByClient: new FailureLimiter(5, 60_000) });
    const from = (ip: string, key: string) => send(yoga, post(`{ viewer { role } }`, { "x-api-key": key, "x-forwarded-for": ip }));
    expect((await from("203.0.113.9", org.adminKey)).status).toBe(200); // in use, so in memory
    for (let i = 0; i < 5; i++) expect((await from("203.0.113.9", `kw_live_wrong${i}`)).status).toBe(401);
    const limited = await from("203.0.113.9", "kw_live_wrong");
    expect([limited.status, limited.code]).toEqual([429, "RATE_LIMITED"]);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await from("203.0.113.9", org.adminKey)).status).toBe(200);
    // Made-up ids from a throttled client no longer reach the database; a key not in memory
    // waits out the block too. Other clients are not affected.
    const unseen = (await createKey(org.adminKey, {})).secret;
    const madeUp = formatKey("live", randomBase62(12), randomBase62(32));
    queryLog.length = 0;
    expect((await from("203.0.113.9", madeUp)).status).toBe(429);
    expect((await from("203.0.113.9", unseen)).status).toBe(429);
    expect(queryLog).toEqual([]);
    expect((await from("198.51.100.7", "kw_live_wrong")).status).toBe(401);
    expect((await from("198.51.100.7", unseen)).status).toBe(200);
    // A client cannot dodge the count with made-up addresses before the one its proxy adds.
    for (let i = 0; i < 5; i++) expect((await from(`10.9.9.${i}, 192.0.2.77`, `kw_live_spoof${i}`)).status).toBe(401);
    expect((await from("10.9.9.99, 192.0.2.77", "kw_live_spoof")).status).toBe(429);
  });

  it("does not count a key refused for its status: a client retrying a revoked key is told so, and its new key works", async () => {
    const org = await seedOrganization();
    const yoga = await yogaWith({ KEYWARD_TRUST_PROXY: "true" }, { authByClient: new FailureLimiter(5, 60_000) });
    const from = (key: string) => send(yoga, post(`{ viewer { role } }`, { "x-api-key": key, "x-forwarded-for": "203.0.113.44" }));
    const old = await createKey(org.adminKey, {});
    await gql(mutation("revokeApiKey"), { key: org.adminKey, variables: { i: { id: old.id } } });
    for (let i = 0; i < 20; i++) expect((await from(old.secret)).code).toBe("API_KEY_REVOKED");
    const replacement = await createKey(org.adminKey, {});
    expect((await from(replacement.secret)).status).toBe(200);
  });

  it("throttles wrong secrets for one key id, while the right secret keeps working", async () => {
    const org = await seedOrganization();
    const yoga = await yogaWith({ KEYWARD_TRUST_PROXY: "true" }, { authByKeyId: new FailureLimiter(3, 60_000) });
    const { secret } = await createKey(org.adminKey, {});
    const { formatKey } = await import("../server/auth/key.ts");
    const id = secret.slice(8, 20);
    const wrong = (i: number) => formatKey("live", id, `${"Z".repeat(31)}${i}`);
    for (let i = 0; i < 3; i++) {
      expect((await send(yoga, post(`{ viewer { role } }`, { "x-api-key": wrong(i), "x-forwarded-for": `192.0.2.${i}` }))).status).toBe(401);
    }
    const limited = await send(yoga, post(`{ viewer { role } }`, { "x-api-key": wrong(9), "x-forwarded-for": "192.0.2.50" }));
    expect([limited.status, limited.code]).toEqual([429, "RATE_LIMITED"]);
    const owner = await send(yoga, post(`{ viewer { role } }`, { "x-api-key": secret, "x-forwarded-for": "192.0.2.51" }));
    expect(owner.status).toBe(200);
    // The key's organization sees the burst in its audit log, once.
    const events = await gql(`query($id: ID!) { auditEvents(action: AUTHENTICATION_FAILED, apiKeyId: $id) { edges { node { targetId ip metadata } } } }`, {
      key: org.adminKey,
      variables: { id },
    });
    expect(events.data?.auditEvents.edges.map((e: any) => e.node)).toEqual([{ targetId: id, ip: "192.0.2.2", metadata: { failures: 3, windowSeconds: 60 } }]);
  });
});

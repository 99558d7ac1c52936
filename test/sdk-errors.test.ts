import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { keywardErrorCodes } from "../sdk/src/errors.ts";
import { Keyward, KeywardError } from "../sdk/src/index.ts";
import { errorStatus } from "../server/errors.ts";
import { inProcessFetch, keywardError, refusal, scripted, sdk, SDK_URL } from "./helpers/sdk.ts";
import { seedOrganization } from "./helpers/seed.ts";

describe("retries, beyond the basics", () => {
  it("retries a 429 on a mutation too (it was refused before it ran), once", async () => {
    const org = await seedOrganization();
    const script = await scripted((n) => (n === 1 ? refusal(429, "RATE_LIMITED", { "retry-after": "0" }) : undefined));
    const kw = await sdk(org.adminKey, { fetch: script.fetch });
    const created = await kw.createApiKey({ name: "after a 429" });
    expect(script.calls).toHaveLength(2);
    const named = (await (await sdk(org.adminKey)).apiKeys({ first: 100 })).edges.filter((e) => e.node.name === "after a 429");
    expect(named.map((e) => e.node.id)).toEqual([created.apiKey.id]);
  });

  it("waits as long as Retry-After says", async () => {
    const org = await seedOrganization();
    const script = await scripted((n) => (n === 1 ? refusal(429, "RATE_LIMITED", { "retry-after": "1" }) : undefined));
    await (await sdk(org.adminKey, { fetch: script.fetch })).viewer();
    expect(script.calls[1]! - script.calls[0]!).toBeGreaterThanOrEqual(950);
  });

  it("does not wait when Retry-After asks for longer than maxRetryDelayMs: throws with retryAfterSeconds", async () => {
    const script = await scripted(() => refusal(429, "RATE_LIMITED", { "retry-after": "120" }));
    const kw = await sdk("kw_any", { fetch: script.fetch, maxRetryDelayMs: 5_000 });
    const error = await keywardError(kw.viewer(), "RATE_LIMITED", 429);
    expect([error.retryAfterSeconds, script.calls.length]).toEqual([120, 1]);
  });

  it("by default, does not hang on Keyward's throttle for failing keys (Retry-After up to 60 s)", async () => {
    const script = await scripted(() => refusal(429, "RATE_LIMITED", { "retry-after": "60" }));
    const error = await keywardError((await sdk("kw_any", { fetch: script.fetch })).viewer(), "RATE_LIMITED", 429);
    expect([error.retryAfterSeconds, script.calls.length]).toEqual([60, 1]);
  });

  it("backs off exponentially without Retry-After, and gives up after maxRetries", async () => {
    const script = await scripted(() => refusal(503, "UNAVAILABLE"));
    const kw = await sdk("kw_any", { fetch: script.fetch, maxRetries: 3, retryDelayMs: 40 });
    await keywardError(kw.organization(), "UNAVAILABLE", 503);
    expect(script.calls).toHaveLength(4);
    const gaps = script.calls.slice(1).map((t, i) => t - script.calls[i]!);
    // Each wait is between half and all of 40 ms × 2^retry.
    gaps.forEach((gap, retry) => expect(gap).toBeGreaterThanOrEqual(20 * 2 ** retry - 2));
    expect(gaps[2]!).toBeLessThan(1_000);
  });

  it("never repeats a mutation after 503, and never retries 502, 400 or a GraphQL error", async () => {
    for (const [answer, code, status, call] of [
      [() => refusal(503, "UNAVAILABLE"), "UNAVAILABLE", 503, (kw: Keyward) => kw.createApiKey({ name: "once" })],
      [() => new Response("<h1>Bad gateway</h1>", { status: 502, headers: { "content-type": "text/html" } }), "UNAVAILABLE", 502, (kw: Keyward) => kw.viewer()],
      [() => refusal(400, "BAD_USER_INPUT"), "BAD_USER_INPUT", 400, (kw: Keyward) => kw.viewer()],
      [() => refusal(200, "CONFLICT"), "CONFLICT", 200, (kw: Keyward) => kw.viewer()],
    ] as const) {
      const script = await scripted(answer);
      await keywardError(call(await sdk("kw_any", { fetch: script.fetch, retryDelayMs: 1 })), code, status);
      expect(script.calls).toHaveLength(1);
    }
  });

  it("retries every query after 503 and never a mutation: each method is sent as its root field's kind", async () => {
    const schema = buildSchema(readFileSync(join(import.meta.dirname, "..", "schema.graphql"), "utf8"));
    const kinds = [
      ...Object.keys(schema.getQueryType()!.getFields()).map((field) => [field, 2] as const),
      ...Object.keys(schema.getMutationType()!.getFields()).map((field) => [field, 1] as const),
    ];
    const tries: Record<string, number> = {};
    for (const [field] of kinds) {
      const script = await scripted(() => refusal(503, "UNAVAILABLE"));
      const kw = await sdk("kw_any", { fetch: script.fetch, maxRetries: 1, retryDelayMs: 1 });
      // No request reaches the server, so an empty object stands in for every method's variables or input.
      const method = kw[field as keyof Keyward] as (argument: object) => Promise<unknown>;
      await keywardError(method.call(kw, {}), "UNAVAILABLE", 503);
      tries[field] = script.calls.length;
    }
    expect(tries).toEqual(Object.fromEntries(kinds));
  });

  it("does not retry at all with maxRetries: 0", async () => {
    const script = await scripted(() => refusal(429, "RATE_LIMITED", { "retry-after": "0" }));
    await keywardError((await sdk("kw_any", { fetch: script.fetch, maxRetries: 0 })).viewer(), "RATE_LIMITED", 429);
    expect(script.calls).toHaveLength(1);
  });

  it("takes maxRetries per call, over the client's, for that call only", async () => {
    const script = await scripted(() => refusal(503, "UNAVAILABLE"));
    const kw = await sdk("kw_any", { fetch: script.fetch, retryDelayMs: 1 });
    const requests = async (call: () => Promise<unknown>) => {
      const before = script.calls.length;
      await keywardError(call(), "UNAVAILABLE", 503);
      return script.calls.length - before;
    };
    expect(await requests(() => kw.viewer({ maxRetries: 0 }))).toBe(1);
    expect(await requests(() => kw.apiKeys({}, { maxRetries: 3 }))).toBe(4);
    expect(await requests(() => kw.paginate.members({}, { maxRetries: 0 }).next())).toBe(1);
    expect(await requests(() => kw.organization())).toBe(3);
    await expect(kw.viewer({ maxRetries: -1 })).rejects.toThrow(RangeError);
    expect(script.calls).toHaveLength(9);
  });

  it("stops waiting when the caller aborts", async () => {
    const script = await scripted(() => refusal(429, "RATE_LIMITED", { "retry-after": "30" }));
    const kw = await sdk("kw_any", { fetch: script.fetch, maxRetryDelayMs: 60_000 });
    const started = Date.now();
    const aborted = kw.viewer({ signal: AbortSignal.timeout(100) });
    await expect(aborted).rejects.toMatchObject({ name: "TimeoutError" });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(script.calls).toHaveLength(1);
  });
});

describe("KeywardErrorCode", () => {
  it("lists exactly the server's codes, plus the SDK's own, each with its reason", () => {
    const sdkOnly: Record<string, string> = {
      NETWORK_ERROR: "no answer came from Keyward (the request failed, or something else answered), so the server never sends it",
      API_KEY_MISSING: "the client has no key to send, so nothing was sent",
    };
    expect([...keywardErrorCodes].sort()).toEqual([...Object.keys(errorStatus), ...Object.keys(sdkOnly)].sort());
  });
});

describe("what reaches KeywardError", () => {
  it("sends the key as X-API-Key with the caller's headers", async () => {
    const org = await seedOrganization();
    const seen: Headers[] = [];
    const forward = await inProcessFetch();
    const kw = await sdk(org.adminKey, {
      headers: { "x-request-id": "trace-1" },
      fetch: (url, init) => {
        seen.push(new Headers(init.headers));
        return forward(url, init);
      },
    });
    await kw.viewer();
    expect([seen[0]?.get("x-api-key"), seen[0]?.get("x-request-id"), seen[0]?.get("authorization")]).toEqual([org.adminKey, "trace-1", null]);
  });

  it("maps a failed fetch to NETWORK_ERROR with status 0 and the cause", async () => {
    const cause = new TypeError("fetch failed");
    const kw = await sdk("kw_any", { fetch: () => Promise.reject(cause) });
    const error = await keywardError(kw.viewer(), "NETWORK_ERROR", 0);
    expect(error.cause).toBe(cause);
  });

  it("tells a 200 that is not GraphQL (a wrong URL, a login page) apart", async () => {
    const page = () => new Response("<html>sign in</html>", { status: 200, headers: { "content-type": "text/html" } });
    const error = await keywardError((await sdk("kw_any", { fetch: async () => page() })).viewer(), "NETWORK_ERROR", 200);
    expect(error.message).toContain(SDK_URL);
  });

  it("goes by the status for a code it does not know, keeping the code as sent", async () => {
    const kw = await sdk("kw_any", { fetch: async () => refusal(200, "SOMETHING_NEW") });
    const error = await keywardError(kw.viewer(), "BAD_USER_INPUT", 200);
    expect(error.errors[0]?.extensions?.code).toBe("SOMETHING_NEW");
    await keywardError((await sdk("kw_any", { fetch: async () => refusal(403, "SOMETHING_NEW") })).viewer(), "FORBIDDEN", 403);
  });

  it("refuses bad options at construction", () => {
    expect(() => new Keyward({ url: "not a url" })).toThrow(TypeError);
    expect(() => new Keyward({ url: SDK_URL, maxRetries: -1 })).toThrow(RangeError);
    expect(new KeywardError("x", { code: "NOT_FOUND" })).toMatchObject({ name: "KeywardError", code: "NOT_FOUND", status: 0, errors: [] });
  });
});

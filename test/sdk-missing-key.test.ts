import { afterEach, describe, expect, it, vi } from "vitest";
import { Keyward } from "../sdk/src/index.ts";
import { keywardError, SDK_URL, sdk } from "./helpers/sdk.ts";
import { testServer } from "./helpers/server.ts";

// A client made without a key (KEYWARD_KEY unset) says so itself, before any request, instead of
// passing on the server's bare UNAUTHENTICATED; the two operations that need no key still go out.

/** globalThis.fetch (what the SDK uses without a `fetch` option) handed to the worker's server, counting calls. */
async function countedGlobalFetch() {
  const { yoga } = await testServer();
  const sent: string[] = [];
  vi.stubGlobal("fetch", (url: string, init: RequestInit) => {
    sent.push(JSON.parse(String(init.body)).operationName);
    return Promise.resolve(yoga.fetch(url, init));
  });
  return sent;
}
afterEach(() => void vi.unstubAllGlobals());

const KEYLESS = ["signUp", "acceptInvitation"];
const methods = Object.getOwnPropertyNames(Keyward.prototype).filter((name) => name !== "constructor");

describe("a client without an API key", () => {
  it("rejects every method but signUp and acceptInvitation with API_KEY_MISSING, sending nothing", async () => {
    const sent = await countedGlobalFetch();
    expect(methods.length).toBeGreaterThan(15);
    for (const apiKey of [undefined, ""]) {
      const kw = new Keyward({ url: SDK_URL, apiKey });
      const call = kw as unknown as Record<string, (input: object) => Promise<unknown>>;
      for (const method of methods.filter((m) => !KEYLESS.includes(m))) {
        const error = await keywardError(call[method]!.call(kw, {}), "API_KEY_MISSING", 0);
        expect(error.message).toContain(method);
      }
      await keywardError(kw.paginate.apiKeys().next(), "API_KEY_MISSING", 0);
    }
    expect(sent).toEqual([]);
  });

  it("still sends signUp and acceptInvitation", async () => {
    const sent = await countedGlobalFetch();
    const kw = new Keyward({ url: SDK_URL });
    const signedUp = await kw.signUp({ organizationName: "Keyless", email: `keyless-${crypto.randomUUID()}@example.com` });
    expect(signedUp.secret).toMatch(/^kw_live_/);
    await keywardError(kw.acceptInvitation({ code: "kwinv_unknown", keyName: "laptop" }), "NOT_FOUND");
    expect(sent).toEqual(["SignUp", "AcceptInvitation"]);
  });

  it("is sent as it is when its own fetch or an authorization header may carry credentials (a session cookie)", async () => {
    await keywardError((await sdk(undefined)).viewer(), "UNAUTHENTICATED", 401);
    const sent = await countedGlobalFetch();
    await keywardError(new Keyward({ url: SDK_URL, headers: { Authorization: "Bearer kw_live_not-a-key" } }).viewer(), "UNAUTHENTICATED", 401);
    expect(sent).toEqual(["Viewer"]);
  });
});

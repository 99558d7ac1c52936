import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, mutation } from "./helpers/http.ts";
import { createTenant, seedPlatformKey } from "./helpers/platform.ts";
import { editedDirectly, listen, testServer } from "./helpers/server.ts";

/** What a product's route answers for one presented key. */
type Call = (headers: Record<string, string>) => Promise<{ status: number; body: Record<string, unknown> }>;

const state = {} as { close: () => void; enabled: string; disabled: string; externalId: string; calls: Record<string, Call> };

/** The README's four snippets (examples/frameworks), each driven the way its framework is tested. */
beforeAll(async () => {
  const { server, origin } = await listen((await testServer()).yoga);
  const platform = await seedPlatformKey(["PLATFORM_WRITE", "PLATFORM_VERIFY"]);
  const tenant = await createTenant(platform.secret);
  const key = async () => {
    const made = await gql(mutation("createApiKey", "{ apiKey { id } secret }"), { key: platform.secret, variables: { i: { name: "k", kind: "SERVICE", organizationId: tenant.id } } });
    return made.data?.createApiKey as { apiKey: { id: string }; secret: string };
  };
  const enabled = await key();
  const disabled = await key();
  // Disabled as its organization's admin would in the console (here, directly: a platform key changes no tenant key's status).
  await (await testServer()).db.prisma.apiKey.update({ where: { id: disabled.apiKey.id }, data: { status: "DISABLED" } });
  await editedDirectly([disabled.apiKey.id]);

  // The snippets read their configuration from the environment when loaded.
  process.env.KEYWARD_URL = origin;
  process.env.KEYWARD_PLATFORM_KEY = platform.secret;
  const express = await import("../examples/frameworks/express.ts");
  const fastify = await import("../examples/frameworks/fastify.ts");
  const hono = await import("../examples/frameworks/hono.ts");
  const next = await import("../examples/frameworks/next-route.ts");
  const expressServer = express.app.listen(0, "127.0.0.1");
  await new Promise((resolve) => expressServer.once("listening", resolve));
  const expressUrl = `http://127.0.0.1:${(expressServer.address() as AddressInfo).port}/api/hello`;
  const fromResponse = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> });
  state.calls = {
    express: async (headers) => fromResponse(await fetch(expressUrl, { headers })),
    fastify: async (headers) => {
      const reply = await fastify.app.inject({ method: "GET", url: "/api/hello", headers });
      return { status: reply.statusCode, body: reply.json() };
    },
    hono: async (headers) => fromResponse(await hono.app.request("/api/hello", { headers })),
    next: async (headers) => fromResponse(await next.GET(new Request("http://product.example/api/hello", { headers }))),
  };
  Object.assign(state, { enabled: enabled.secret, disabled: disabled.secret, externalId: tenant.externalId });
  state.close = () => {
    expressServer.close();
    server.close();
    void fastify.app.close();
  };
});
afterAll(() => state.close?.());

describe.each(["express", "fastify", "hono", "next"])("the %s snippet", (framework) => {
  it("answers 200 with the customer's externalId for its key, 401 without a valid key, 403 for a disabled key", async () => {
    const call = state.calls[framework]!;
    expect(await call({ authorization: `Bearer ${state.enabled}` })).toMatchObject({ status: 200, body: { hello: state.externalId } });
    expect(await call({ "x-api-key": state.enabled })).toMatchObject({ status: 200, body: { hello: state.externalId } });
    expect(await call({})).toEqual({ status: 401, body: { error: "UNAUTHENTICATED" } });
    expect(await call({ authorization: "Bearer kw_live_not_a_key" })).toEqual({ status: 401, body: { error: "UNAUTHENTICATED" } });
    expect(await call({ authorization: `Bearer ${state.disabled}` })).toEqual({ status: 403, body: { error: "API_KEY_DISABLED" } });
  });
});

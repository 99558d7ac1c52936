import { describe, expect, it } from "vitest";
import { gql, send } from "./helpers/http.ts";
import { seedOrganization } from "./helpers/seed.ts";
import { testServer } from "./helpers/server.ts";

const call = (id: number, name: string) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name: "create_api_key", arguments: { input: { name } } },
});

async function mcp(key: string, body: unknown) {
  const { yoga } = await testServer();
  const { status, text } = await send(
    yoga,
    {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "x-api-key": key },
      body: JSON.stringify(body),
    },
    "http://keyward.test/mcp",
  );
  return { status, text, body: JSON.parse(text) as Record<string, any> };
}

async function keyNames(key: string): Promise<string[]> {
  const page = await gql(`{ apiKeys(first: 100) { edges { node { name } } } }`, { key });
  return page.data?.apiKeys.edges.map((e: { node: { name: string } }) => e.node.name);
}

describe("JSON-RPC batches on /mcp", () => {
  it("are refused with 400 and a JSON-RPC error before any tool runs: one use of a key is one call", async () => {
    const org = await seedOrganization();
    const before = await keyNames(org.adminKey);
    for (const batch of [Array.from({ length: 100 }, (_, i) => call(i, `batched ${i}`)), [call(1, "batched alone")], []]) {
      const answer = await mcp(org.adminKey, batch);
      expect([answer.status, answer.body.jsonrpc, answer.body.id, answer.body.error?.code], answer.text).toEqual([400, "2.0", null, -32600]);
      expect(answer.body.result).toBeUndefined();
      expect(answer.text).not.toMatch(/node_modules|\bat \w|Error:/);
    }
    expect(await keyNames(org.adminKey)).toEqual(before);

    // One call per request is served as before.
    const single = await mcp(org.adminKey, call(7, "one at a time"));
    expect([single.status, single.body.result?.isError ?? false]).toEqual([200, false]);
    expect(await keyNames(org.adminKey)).toContain("one at a time");
  });

  it("still answers malformed bodies with JSON-RPC's parse error, not a stack", async () => {
    const org = await seedOrganization();
    const { yoga } = await testServer();
    const response = await send(
      yoga,
      { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "x-api-key": org.adminKey }, body: "[{" },
      "http://keyward.test/mcp",
    );
    const body = JSON.parse(response.text) as { error?: { code?: number } };
    expect([response.status, body.error?.code]).toEqual([400, -32700]);
  });
});

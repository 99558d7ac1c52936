import type { Server } from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServices } from "../server/services.ts";
import { createLogger } from "../server/infra/logger.ts";
import { loadConfig } from "../server/config.ts";
import { createKeywardYoga } from "../server/yoga.ts";
import { reachableFromTheInternet } from "../sdk/src/agents.ts";
import { gql, mutation, request } from "./helpers/http.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";
import { listen, testServer } from "./helpers/server.ts";

let server: Server;
let base: string;

beforeAll(async () => {
  const { services } = await testServer();
  ({ server, origin: base } = await listen(createKeywardYoga({ ...services, logger: createLogger("error") })));
});
afterAll(() => server.close());

async function connect(url: string, headers: Record<string, string> = {}, fetchFn?: typeof fetch): Promise<Client> {
  const client = new Client({ name: "keyward-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers }, ...(fetchFn ? { fetch: fetchFn } : {}) }));
  return client;
}

const CONNECT = `mutation($i: ConnectAgentInput!) {
  connectAgent(input: $i) { apiKey { id name scopes createdAt } secret mcpUrl command deeplink connectorUrl instructions }
}`;

describe("the MCP endpoint", () => {
  it("refuses no key and bad keys before listing anything", async () => {
    await expect(connect(`${base}/mcp`)).rejects.toThrow();
    await expect(connect(`${base}/mcp`, { "x-api-key": "kw_live_nonsense" })).rejects.toThrow();
    const raw = await fetch(`${base}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(raw.status).toBe(401);
    expect(raw.headers.get("www-authenticate")).toBeTruthy();
  });

  it("lists the tools the key's scopes allow, and runs queries and mutations through the same rules", async () => {
    const org = await seedOrganization();
    const admin = await connect(`${base}/mcp`, { "x-api-key": org.adminKey });
    const adminTools = (await admin.listTools()).tools.map((t) => t.name);
    expect(adminTools).toEqual(expect.arrayContaining(["viewer", "api_keys", "create_api_key", "revoke_api_key", "audit_events", "connect_agent"]));
    expect(adminTools).not.toContain("sign_up");
    const create = (await admin.listTools()).tools.find((t) => t.name === "create_api_key")!;
    expect(create.inputSchema).toMatchObject({ type: "object", required: ["input"], properties: { input: { type: "object", required: ["name"] } } });

    const viewer = await admin.callTool({ name: "viewer", arguments: {} });
    expect(viewer.isError).toBeFalsy();
    expect((viewer.structuredContent as any).viewer.organization.id).toBe(org.organization.id);
    const created = await admin.callTool({ name: "create_api_key", arguments: { input: { name: "made by an agent", scopes: ["KEYS_READ"] } } });
    const { secret, apiKey } = (created.structuredContent as any).createApiKey;
    expect(apiKey.name).toBe("made by an agent");

    const reader = await connect(`${base}/mcp`, { authorization: `Bearer ${secret}` });
    const readerTools = (await reader.listTools()).tools.map((t) => t.name);
    expect(readerTools).toContain("api_keys");
    expect(readerTools).not.toContain("create_api_key");
    expect(readerTools).not.toContain("audit_events");
    const refused = await reader.callTool({ name: "create_api_key", arguments: { input: { name: "escalation" } } });
    expect(refused.isError).toBe(true);
    expect((refused.structuredContent as any).error.code).toBe("FORBIDDEN");
    const bad = await admin.callTool({ name: "create_api_key", arguments: { input: { name: "" } } });
    expect((bad.structuredContent as any).error.code).toBe("BAD_USER_INPUT");

    await gql(mutation("revokeApiKey"), { key: org.adminKey, variables: { i: { id: apiKey.id } } });
    await expect(connect(`${base}/mcp`, { "x-api-key": secret })).rejects.toThrow();
    await Promise.all([admin.close(), reader.close()]);
  });

  it("is stateless: GET and DELETE get 405, so a connected client does not keep polling", async () => {
    const org = await seedOrganization();
    for (const method of ["GET", "DELETE"]) {
      const response = await fetch(`${base}/mcp`, { method, headers: { "x-api-key": org.adminKey, accept: "text/event-stream" } });
      expect([response.status, response.headers.get("allow")]).toEqual([405, "POST"]);
    }
    const methods: string[] = [];
    const counting: typeof fetch = (input, init) => {
      methods.push(init?.method ?? "GET");
      return fetch(input, init);
    };
    const client = await connect(`${base}/mcp`, { "x-api-key": org.adminKey }, counting);
    await client.listTools();
    await new Promise((r) => setTimeout(r, 2_500));
    // One attempt to open an event stream, refused; before the 405 the client retried every second.
    expect(methods.filter((m) => m === "GET")).toHaveLength(1);
    await client.close();
  });

  it("counts a tool call as one use of the key, and audits it with the agent's address and user agent", async () => {
    const { services } = await testServer();
    const org = await seedOrganization();
    const { id, secret } = await createKey(org.adminKey, {});
    const uses = () => [...services.usage.pendingDays(id).values()].reduce((a, b) => a + b, 0);
    const client = await connect(`${base}/mcp`, { "x-api-key": secret, "user-agent": "agent-under-test/1.0" });
    const before = uses();
    const created = await client.callTool({ name: "create_api_key", arguments: { input: { name: "audited agent key" } } });
    expect(uses()).toBe(before + 1);
    const createdId = (created.structuredContent as any).createApiKey.apiKey.id;
    const events = (await gql(`{ auditEvents(action: API_KEY_CREATED, first: 50) { edges { node { targetId actorKeyId ip userAgent } } } }`, { key: org.adminKey }))
      .data?.auditEvents.edges.map((e: any) => e.node);
    expect(events.find((e: any) => e.targetId === createdId)).toEqual({ targetId: createdId, actorKeyId: id, ip: "127.0.0.1", userAgent: "agent-under-test/1.0" });
    await client.close();
  });

  it("update_api_key sets a key's limits, and create_api_key takes them", async () => {
    const org = await seedOrganization();
    const client = await connect(`${base}/mcp`, { "x-api-key": org.adminKey });
    const created = await client.callTool({
      name: "create_api_key",
      arguments: { input: { name: "limited by an agent", rateLimit: { limit: 100, windowSeconds: 60 }, credits: { remaining: 10, refillAmount: 10, refillInterval: "DAILY" } } },
    });
    const apiKey = (created.structuredContent as any).createApiKey.apiKey;
    expect(apiKey).toMatchObject({ rateLimit: { limit: 100, windowSeconds: 60 }, credits: { remaining: 10, refillAmount: 10, refillInterval: "DAILY" } });
    const updated = await client.callTool({ name: "update_api_key", arguments: { input: { id: apiKey.id, allowedIps: ["192.0.2.0/24"], rateLimit: null } } });
    expect((updated.structuredContent as any).updateApiKey.apiKey).toMatchObject({ allowedIps: ["192.0.2.0/24"], rateLimit: null, credits: { remaining: 10 } });
    await client.close();
  });

  it("marks which tools only read and which take access away, and names an unknown tool once", async () => {
    const org = await seedOrganization();
    const client = await connect(`${base}/mcp`, { "x-api-key": org.adminKey });
    const hints = Object.fromEntries((await client.listTools()).tools.map((t) => [t.name, t.annotations]));
    expect(hints.api_keys).toEqual({ readOnlyHint: true, destructiveHint: false });
    // It spends the key's credits and counts against its rate limit.
    expect(hints.verify_api_key).toEqual({ readOnlyHint: false, destructiveHint: false });
    expect(hints.create_api_key).toEqual({ readOnlyHint: false, destructiveHint: false });
    for (const name of ["revoke_api_key", "delete_api_key", "disable_api_key", "rotate_api_key", "remove_member", "update_member_role", "cancel_invitation", "update_organization_policy", "update_api_key"]) {
      expect(hints[name], name).toEqual({ readOnlyHint: false, destructiveHint: true });
    }
    const unknown = await client.callTool({ name: "no_such_tool", arguments: {} }).catch((e: Error) => e);
    expect(unknown).toBeInstanceOf(Error);
    expect((unknown as Error).message).toMatch(/^MCP error -32602: Unknown tool: no_such_tool$/);
    await client.close();
  });

  it("takes ?api_key= on /mcp (connector URLs) but nowhere else", async () => {
    const org = await seedOrganization();
    const client = await connect(`${base}/mcp?api_key=${org.adminKey}`);
    expect((await client.listTools()).tools.length).toBeGreaterThan(5);
    await client.close();
    const graphql = await fetch(`${base}/graphql?api_key=${org.adminKey}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ viewer { role } }" }),
    });
    expect(graphql.status).toBe(401);
  });
});

describe("connectAgent", () => {
  it("creates one read-only key per agent and a well-formed setup for every client", async () => {
    const { services } = await testServer();
    const org = await seedOrganization();
    const yoga = createKeywardYoga({ ...services, config: loadConfig({ KEYWARD_PUBLIC_URL: base }) });
    const run = async (client: string, extra: Record<string, unknown> = {}) => {
      const { body } = await request(yoga, CONNECT, { key: org.adminKey, variables: { i: { client, ...extra } } });
      return body as { data?: any; errors?: any[] };
    };
    const mcpUrl = `${base}/mcp`;

    const claude = (await run("CLAUDE_CODE")).data.connectAgent;
    const day = (claude.apiKey.createdAt as string).slice(0, 10);
    expect(claude.apiKey.name).toBe(`Claude Code agent, ${day}`);
    // Connecting again names the new key so the two can be told apart (and a chosen name is kept).
    const again = (await run("CLAUDE_CODE")).data.connectAgent;
    expect(again.apiKey.name).toMatch(new RegExp(`^Claude Code agent, ${again.apiKey.createdAt.slice(0, 10)}( \\(2\\))?$`));
    if (again.apiKey.createdAt.slice(0, 10) === day) expect(again.apiKey.name).toBe(`Claude Code agent, ${day} (2)`);
    expect((await run("CLAUDE_CODE", { name: "laptop" })).data.connectAgent.apiKey.name).toBe("laptop");
    expect(claude.apiKey.scopes.sort()).toEqual(["AUDIT_READ", "KEYS_READ", "MEMBERS_READ", "ORG_READ"]);
    expect(claude.mcpUrl).toBe(mcpUrl);
    expect(claude.command).toBe(`claude mcp add --transport http keyward ${mcpUrl} --header "X-API-Key: ${claude.secret}"`);
    // The key inside the command works against the real MCP endpoint.
    const header = /--header "X-API-Key: (\S+)"/.exec(claude.command)![1]!;
    const agent = await connect(claude.mcpUrl, { "x-api-key": header });
    expect((await agent.callTool({ name: "viewer", arguments: {} })).isError).toBeFalsy();
    await agent.close();

    const codex = (await run("CODEX")).data.connectAgent;
    expect(codex.command).toContain(`codex mcp add keyward --url ${mcpUrl}`);
    expect(codex.command).toContain(`KEYWARD_API_KEY=${codex.secret}`);

    const vscode = (await run("VS_CODE")).data.connectAgent;
    const json = JSON.parse(/^code --add-mcp '(.+)'$/.exec(vscode.command)![1]!);
    expect(json).toEqual({ name: "keyward", type: "http", url: mcpUrl, headers: { "X-API-Key": vscode.secret } });

    const cursor = (await run("CURSOR")).data.connectAgent;
    const link = new URL(cursor.deeplink);
    expect(`${link.protocol}//${link.host}${link.pathname}`).toBe("cursor://anysphere.cursor-deeplink/mcp/install");
    expect(link.searchParams.get("name")).toBe("keyward");
    expect(JSON.parse(Buffer.from(link.searchParams.get("config")!, "base64").toString())).toEqual({ url: mcpUrl, headers: { "X-API-Key": cursor.secret } });

    for (const client of ["CLAUDE_DESKTOP", "CHATGPT"]) {
      const setup = (await run(client)).data.connectAgent;
      expect(setup.connectorUrl).toBe(`${mcpUrl}?api_key=${setup.secret}`);
      // This Keyward is on a loopback address: the vendor's cloud cannot reach it, and the instructions say so.
      expect(setup.instructions).toContain("cannot reach");
      const connector = await connect(setup.connectorUrl);
      expect((await connector.listTools()).tools.length).toBeGreaterThan(0);
      await connector.close();
    }

    const names = (await gql(`{ auditEvents(action: AGENT_CONNECTED) { edges { node { metadata } } } }`, { key: org.adminKey })).data?.auditEvents.edges;
    expect(names).toHaveLength(8);
    const beyond = await createKey(org.adminKey, { scopes: ["KEYS_WRITE"] });
    const escalate = await gql(CONNECT, { key: beyond.secret, variables: { i: { client: "CURSOR", scopes: ["AUDIT_READ"] } } });
    expect([escalate.status, escalate.code]).toEqual([403, "FORBIDDEN"]);
    // Nothing to read by default, or nothing asked for: no useless key is made.
    for (const i of [{ client: "CURSOR" }, { client: "CURSOR", scopes: [] }]) {
      const empty = await gql(CONNECT, { key: beyond.secret, variables: { i } });
      expect([empty.status, empty.code, empty.errors?.[0]?.extensions?.field]).toEqual([200, "BAD_USER_INPUT", "scopes"]);
    }
  });
});

describe("which public URLs a vendor's cloud can reach (Claude Desktop, ChatGPT connectors)", () => {
  it.each([
    ["https://keys.example.com", true],
    ["https://203.0.113.7:8443", true],
    ["https://172.32.0.1", true],
    ["https://[2001:db8::1]", true],
    ["http://keys.example.com", false],
    ["https://localhost:4000", false],
    ["https://app.localhost", false],
    ["https://keyward", false],
    ["https://keyward.local", false],
    ["https://127.0.0.1", false],
    ["https://10.1.2.3", false],
    ["https://172.16.0.1", false],
    ["https://192.168.1.20", false],
    ["https://169.254.1.1", false],
    ["https://100.64.0.1", false],
    ["https://[::1]", false],
    ["https://[fd12::1]", false],
    ["https://[fe80::1]", false],
  ])("%s: %s", (url, reachable) => {
    expect(reachableFromTheInternet(url)).toBe(reachable);
  });
});

import { describe, expect, it } from "vitest";
import { gql, mutation } from "./helpers/http.ts";
import { seedPlatformKey } from "./helpers/platform.ts";
import { seedOrganization } from "./helpers/seed.ts";

const CREATE = mutation("createPlatformKey", "{ platformKey { id name status scopes maskedKey } secret }");
const REVOKE = mutation("revokePlatformKey", "{ platformKey { id status } }");
const LIST = `query($after: String) { platformKeys(first: 100, after: $after) { edges { node { id status scopes } } } }`;
const AUDIT = `{ platformAuditEvents(first: 100) { edges { node { action actorKeyId targetId metadata } } } }`;

describe("platform keys", () => {
  it("a platform key with PLATFORM_WRITE creates, lists and revokes platform keys, audited at platform level", async () => {
    const admin = await seedPlatformKey();
    const created = await gql(CREATE, { key: admin.secret, variables: { i: { name: "verifier", scopes: ["PLATFORM_VERIFY"] } } });
    expect(created.errors).toBeUndefined();
    const { platformKey, secret } = created.data?.createPlatformKey;
    expect(platformKey).toMatchObject({ name: "verifier", status: "ENABLED", scopes: ["PLATFORM_VERIFY"] });
    expect(secret).toMatch(/^kw_live_\w{51}$/);

    const listed = await gql(LIST, { key: admin.secret });
    expect(listed.data?.platformKeys.edges.map((e: any) => e.node.id)).toContain(platformKey.id);

    // The new key works at once (verifies), and can do nothing else.
    const org = await seedOrganization();
    const verified = await gql(mutation("verifyApiKey", "{ valid }"), { key: secret, variables: { i: { key: org.adminKey } } });
    expect(verified.data?.verifyApiKey.valid).toBe(true);
    expect((await gql(LIST, { key: secret })).code).toBe("FORBIDDEN");

    const revoked = await gql(REVOKE, { key: admin.secret, variables: { i: { id: platformKey.id } } });
    expect(revoked.data?.revokePlatformKey.platformKey.status).toBe("REVOKED");
    const refused = await gql(mutation("verifyApiKey", "{ valid }"), { key: secret, variables: { i: { key: org.adminKey } } });
    expect([refused.status, refused.code]).toEqual([403, "API_KEY_REVOKED"]);

    const events = (await gql(AUDIT, { key: admin.secret })).data?.platformAuditEvents.edges.map((e: any) => e.node);
    expect(events).toContainEqual({ action: "PLATFORM_KEY_CREATED", actorKeyId: admin.id, targetId: platformKey.id, metadata: { name: "verifier", scopes: ["PLATFORM_VERIFY"] } });
    expect(events).toContainEqual({ action: "PLATFORM_KEY_REVOKED", actorKeyId: admin.id, targetId: platformKey.id, metadata: { name: "verifier" } });
  });

  it("never grants a platform scope the calling key lacks; bad input is BAD_USER_INPUT; unknown ids NOT_FOUND", async () => {
    const writer = await seedPlatformKey(["PLATFORM_WRITE"]);
    const beyond = await gql(CREATE, { key: writer.secret, variables: { i: { name: "more", scopes: ["PLATFORM_VERIFY"] } } });
    expect([beyond.status, beyond.code]).toEqual([403, "FORBIDDEN"]);
    for (const name of ["", " ", "x".repeat(101), "a\u0000b"]) {
      expect((await gql(CREATE, { key: writer.secret, variables: { i: { name } } })).code, JSON.stringify(name)).toBe("BAD_USER_INPUT");
    }
    expect((await gql(CREATE, { key: writer.secret, variables: { i: { name: "x", scopes: ["KEYS_READ"] } } })).code).toBe("BAD_USER_INPUT");
    expect((await gql(REVOKE, { key: writer.secret, variables: { i: { id: "nonexistent1" } } })).code).toBe("NOT_FOUND");
    // An organization's key is no platform key, whatever its id.
    const org = await seedOrganization();
    expect((await gql(REVOKE, { key: writer.secret, variables: { i: { id: org.apiKey.id } } })).code).toBe("NOT_FOUND");
    expect((await gql(`{ viewer { role } }`, { key: org.adminKey })).errors).toBeUndefined();
  });

  it("a platform key is refused on every organization operation and on /mcp (403 FORBIDDEN)", async () => {
    const platform = await seedPlatformKey();
    for (const query of [`{ viewer { role } }`, `{ apiKeys { edges { node { id } } } }`, `{ members { edges { node { id } } } }`, `{ auditEvents { edges { node { id } } } }`]) {
      const result = await gql(query, { key: platform.secret });
      expect([result.status, result.code], query).toEqual([403, "FORBIDDEN"]);
    }
    const invite = await gql(mutation("inviteMember", "{ code }"), { key: platform.secret, variables: { i: { email: "x@example.com", role: "MEMBER" } } });
    expect([invite.status, invite.code]).toEqual([403, "FORBIDDEN"]);
    const { yoga } = await (await import("./helpers/server.ts")).testServer();
    const mcp = await yoga.fetch("http://keyward.test/mcp", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "x-api-key": platform.secret },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(mcp.status).toBe(403);
    expect((await mcp.json()).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("verifyApiKey with PLATFORM_VERIFY", () => {
  const VERIFY = mutation(
    "verifyApiKey",
    "{ valid code scopes apiKey { id status } organization { id externalId name metadata } owner { id email externalId } metadata }",
  );

  it("verifies any organization's key and tells its organization, owner and metadata", async () => {
    const platform = await seedPlatformKey(["PLATFORM_VERIFY"]);
    const org = await seedOrganization("Verified");
    const result = await gql(VERIFY, { key: platform.secret, variables: { i: { key: org.adminKey } } });
    expect(result.errors).toBeUndefined();
    expect(result.data?.verifyApiKey).toMatchObject({
      valid: true,
      code: null,
      apiKey: { id: org.apiKey.id, status: "ENABLED" },
      organization: { id: org.organization.id, externalId: null, name: org.organization.name, metadata: null },
      owner: { id: org.user.id, email: org.user.email, externalId: null },
      metadata: null,
    });
    expect(result.data?.verifyApiKey.scopes).toContain("KEYS_WRITE");
  });

  it("answers refused keys with the HTTP layer's code, never throws, and is no way to verify platform keys", async () => {
    const platform = await seedPlatformKey(["PLATFORM_VERIFY"]);
    const org = await seedOrganization();
    const disabled = await gql(mutation("createApiKey", "{ apiKey { id } secret }"), { key: org.adminKey, variables: { i: { name: "d", kind: "SERVICE" } } });
    const { apiKey, secret } = disabled.data?.createApiKey;
    await gql(mutation("disableApiKey"), { key: org.adminKey, variables: { i: { id: apiKey.id } } });
    const cases: Array<[string, string]> = [
      [secret, "API_KEY_DISABLED"],
      ["kw_live_nothing", "UNAUTHENTICATED"],
      [platform.secret, "UNAUTHENTICATED"],
      ["x".repeat(600), "UNAUTHENTICATED"],
    ];
    for (const [key, code] of cases) {
      const result = await gql(VERIFY, { key: platform.secret, variables: { i: { key } } });
      expect(result.errors).toBeUndefined();
      expect(result.data?.verifyApiKey, code).toMatchObject({ valid: false, code, organization: null, owner: null, scopes: [] });
    }
  });

  it("an organization's key still verifies only its own organization's keys, and is told no tenant details", async () => {
    const org = await seedOrganization();
    const other = await seedOrganization();
    const own = await gql(VERIFY, { key: org.adminKey, variables: { i: { key: org.adminKey } } });
    expect(own.data?.verifyApiKey).toMatchObject({ valid: true, organization: null, owner: null, metadata: null });
    const foreign = await gql(VERIFY, { key: org.adminKey, variables: { i: { key: other.adminKey } } });
    expect(foreign.data?.verifyApiKey).toMatchObject({ valid: false, code: "UNAUTHENTICATED", apiKey: null });
  });

  it("a warm verification reads nothing from the database", async () => {
    const { queryLog } = await import("./helpers/server.ts");
    const platform = await seedPlatformKey(["PLATFORM_VERIFY"]);
    const org = await seedOrganization();
    const query = mutation("verifyApiKey", "{ valid organization { id } owner { id } metadata scopes }");
    await gql(query, { key: platform.secret, variables: { i: { key: org.adminKey } } });
    queryLog.length = 0;
    const warm = await gql(query, { key: platform.secret, variables: { i: { key: org.adminKey } } });
    expect(warm.data?.verifyApiKey.valid).toBe(true);
    expect(queryLog).toEqual([]);
  });
});

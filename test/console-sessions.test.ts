import { beforeAll, describe, expect, it } from "vitest";
import { embeddedPrincipal } from "../server/auth/embeddedSessions.ts";
import { asConsole, OWN_PAGE, SESSION_URL } from "./helpers/console.ts";
import { gql, GRAPHQL_URL, mutation, post, send } from "./helpers/http.ts";
import { createTenant, seedPlatformKey } from "./helpers/platform.ts";
import { seedOrganization } from "./helpers/seed.ts";
import { testServer } from "./helpers/server.ts";

const PRODUCT = "https://product.example";
const CREATE = mutation("createConsoleSession", "{ url token expiresAt }");
const VIEWER = `{ viewer { role scopes user { id email } apiKey { id } organization { id } } }`;

/** A platform, one of its tenants, and a console session for the tenant's admin. */
async function minted(input: Record<string, unknown> = {}) {
  const platform = await seedPlatformKey();
  const tenant = await createTenant(platform.secret);
  const answer = await gql(CREATE, {
    key: platform.secret,
    variables: { i: { organizationId: tenant.id, userId: tenant.adminId, returnUrl: `${PRODUCT}/account`, allowedOrigin: PRODUCT, ...input } },
  });
  if (!answer.data?.createConsoleSession) throw new Error(`createConsoleSession failed: ${answer.text}`);
  const { url, token, expiresAt } = answer.data.createConsoleSession as { url: string; token: string; expiresAt: string };
  return { platform, tenant, url, token, expiresAt };
}

/** A GraphQL request as the embedded element sends it: the token as a bearer, the product page's origin. */
async function embedded(token: string, query: string, variables?: Record<string, unknown>, origin: string | null = PRODUCT) {
  const { yoga } = await testServer();
  return send(yoga, post(query, { authorization: `Bearer ${token}`, ...(origin === null ? {} : { origin }) }, variables));
}

// The worker's server opens its database before the first test, not inside its time limit.
beforeAll(() => testServer());

describe("createConsoleSession", () => {
  it("mints a one-time console link and an embedded token for a member; audited in the organization with the platform key as actor", async () => {
    const before = Date.now();
    const { platform, tenant, url, token, expiresAt } = await minted();
    const { config, db } = await testServer();
    expect(url).toMatch(new RegExp(`^${config.publicUrl}/signin#[A-Za-z0-9_-]{43}$`));
    expect(token).toMatch(/^kwe_[A-Za-z0-9_-]{43}$/);
    const lifetime = Date.parse(expiresAt) - before;
    expect(lifetime).toBeGreaterThan(899_000);
    expect(lifetime).toBeLessThan(901_000 + (Date.now() - before));

    const events = await db.prisma.auditEvent.findMany({ where: { organizationId: tenant.id, action: "CONSOLE_SESSION_CREATED" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorKeyId: platform.id,
      targetType: "User",
      targetId: tenant.adminId,
      metadata: expect.objectContaining({ via: "platform", allowedOrigin: PRODUCT, returnUrl: `${PRODUCT}/account` }),
    });
    // Neither secret is kept anywhere but as a hash.
    const stored = JSON.stringify(events) + JSON.stringify(await db.prisma.embeddedSession.findMany({ where: { organizationId: tenant.id } }));
    expect(stored).not.toContain(token.slice(4));
    expect(stored).not.toContain(new URL(url).hash.slice(1));
  });

  it("the token acts as the member, from the allowed origin only; its changes are audited via: embedded; CORS shares only those answers", async () => {
    const { tenant, token } = await minted();
    const viewer = await embedded(token, VIEWER);
    expect(viewer.status).toBe(200);
    expect(viewer.data?.viewer).toMatchObject({ role: "ADMIN", user: { id: tenant.adminId }, apiKey: null, organization: { id: tenant.id } });
    expect(viewer.headers.get("access-control-allow-origin")).toBe(PRODUCT);
    expect(viewer.headers.get("access-control-allow-credentials")).toBeNull();

    const created = await embedded(token, mutation("createApiKey", "{ apiKey { id } secret }"), { i: { name: "From the product" } });
    expect(created.errors).toBeUndefined();
    const { db } = await testServer();
    const event = await db.prisma.auditEvent.findFirst({ where: { organizationId: tenant.id, action: "API_KEY_CREATED" } });
    expect(event).toMatchObject({ actorUserId: tenant.adminId, actorKeyId: null, metadata: expect.objectContaining({ via: "embedded" }) });

    for (const origin of ["https://evil.example", "http://product.example", `${PRODUCT}:8443`, null]) {
      const refused = await embedded(token, VIEWER, undefined, origin);
      expect([refused.status, refused.code], String(origin)).toEqual([403, "FORBIDDEN"]);
      expect(refused.headers.get("access-control-allow-origin"), String(origin)).toBeNull();
    }
  });

  it("a preflight from any origin may send only authorization and content-type, without credentials; a key's answer is not shared cross-origin", async () => {
    const { yoga } = await testServer();
    const preflight = await yoga.fetch(GRAPHQL_URL, {
      method: "OPTIONS",
      headers: { origin: "https://anyone.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://anyone.example");
    expect(preflight.headers.get("access-control-allow-headers")).toBe("authorization, content-type");
    expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();
    // Anything else a page might ask to send (an X-API-Key, or nothing that needs a token) gets no CORS answer.
    for (const asked of ["x-api-key, content-type", "authorization, x-api-key", "content-type", ""]) {
      const other = await yoga.fetch(GRAPHQL_URL, {
        method: "OPTIONS",
        headers: { origin: "https://anyone.example", "access-control-request-method": "POST", "access-control-request-headers": asked },
      });
      expect(other.headers.get("access-control-allow-origin"), asked).toBeNull();
    }

    const org = await seedOrganization("Cross-origin key");
    const withKey = await send(yoga, post(`{ viewer { role } }`, { authorization: `Bearer ${org.adminKey}`, origin: "https://anyone.example" }));
    expect(withKey.status).toBe(200);
    expect(withKey.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("an expired token, one whose member left, and a made-up one are refused (401); the clock decides expiry", async () => {
    const { db } = await testServer();
    const { token, tenant } = await minted({ expiresInSeconds: 60 });
    const row = await db.prisma.embeddedSession.findFirstOrThrow({ where: { organizationId: tenant.id } });
    // The same check with the clock moved: a second before the end it speaks for the member, at the end it does not.
    expect(await embeddedPrincipal(db.prisma, token, PRODUCT, row.expiresAt.getTime() - 1000)).toMatchObject({ userId: tenant.adminId });
    expect(await embeddedPrincipal(db.prisma, token, PRODUCT, row.expiresAt.getTime())).toBe("ENDED");
    // The ended session is gone: even the earlier clock no longer finds it.
    expect(await embeddedPrincipal(db.prisma, token, PRODUCT, row.expiresAt.getTime() - 1000)).toBe("ENDED");
    const expired = await embedded(token, VIEWER);
    expect([expired.status, expired.code]).toEqual([401, "UNAUTHENTICATED"]);
    expect(expired.headers.get("www-authenticate")).toBeTruthy();

    const second = await minted();
    const member = await gql(mutation("addMember", "{ user { id } }"), { key: second.platform.secret, variables: { i: { organizationId: second.tenant.id, email: `m-${crypto.randomUUID()}@example.com` } } });
    const memberId = member.data?.addMember.user.id as string;
    const forMember = await gql(CREATE, {
      key: second.platform.secret,
      variables: { i: { organizationId: second.tenant.id, userId: memberId, returnUrl: `${PRODUCT}/`, allowedOrigin: PRODUCT } },
    });
    const memberToken = forMember.data?.createConsoleSession.token as string;
    expect((await embedded(memberToken, VIEWER)).data?.viewer).toMatchObject({ role: "MEMBER" });
    await db.prisma.membership.deleteMany({ where: { organizationId: second.tenant.id, userId: memberId } });
    expect((await embedded(memberToken, VIEWER)).code).toBe("UNAUTHENTICATED");

    expect((await embedded(`kwe_${"A".repeat(43)}`, VIEWER)).status).toBe(401);
    // Like a key, a token in a URL is refused before anything reads or logs it.
    const { yoga } = await testServer();
    expect((await yoga.fetch(`${GRAPHQL_URL}?token=${token}`, post(VIEWER, { origin: PRODUCT }))).status).toBe(401);
  });

  it("the token reaches nothing of another organization, never works as a cookie or on /mcp", async () => {
    const { yoga } = await testServer();
    const { token } = await minted();
    const other = await seedOrganization("Other org");
    const otherKey = await gql(`{ apiKeys { edges { node { id } } } }`, { key: other.adminKey });
    const foreignId = otherKey.data?.apiKeys.edges[0].node.id as string;
    const read = await embedded(token, `query($id: ID!) { apiKey(id: $id) { id } }`, { id: foreignId });
    expect(read.data?.apiKey).toBeNull();
    const disable = await embedded(token, mutation("disableApiKey", "{ apiKey { id } }"), { i: { id: foreignId } });
    expect(disable.code).toBe("NOT_FOUND");
    const elsewhere = await embedded(token, mutation("createApiKey", "{ secret }"), { i: { name: "x", organizationId: other.organization.id } });
    expect([elsewhere.status, elsewhere.code]).toEqual([403, "FORBIDDEN"]);

    const asCookie = await asConsole(yoga, `keyward_session=${token}`, VIEWER);
    expect(asCookie.code).toBe("UNAUTHENTICATED");
    const body = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } };
    const mcp = await yoga.fetch(`${new URL(GRAPHQL_URL).origin}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${token}`, origin: PRODUCT },
      body: JSON.stringify(body),
    });
    expect(mcp.status).toBe(401);
  });

  it("the one-time url signs the member in to the console once, with the product's return URL", async () => {
    const { yoga } = await testServer();
    const { url, tenant } = await minted();
    const signIn = () =>
      send(yoga, { method: "POST", headers: { "content-type": "application/json", ...OWN_PAGE }, body: JSON.stringify({ token: new URL(url).hash.slice(1) }) }, SESSION_URL);
    const first = await signIn();
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ organization: { id: tenant.id }, user: { id: tenant.adminId }, returnUrl: `${PRODUCT}/account` });
    const cookie = first.headers.get("set-cookie")!.split(";", 1)[0]!;
    const again = await send(yoga, { headers: { cookie, ...OWN_PAGE } }, SESSION_URL);
    expect(again.body).toMatchObject({ returnUrl: `${PRODUCT}/account` });
    expect((await signIn()).code).toBe("UNAUTHENTICATED");
  });

  it("refuses bad input naming the field, a non-member (NOT_FOUND), organization keys and platform keys without PLATFORM_WRITE", async () => {
    const platform = await seedPlatformKey();
    const tenant = await createTenant(platform.secret);
    const good = { organizationId: tenant.id, userId: tenant.adminId, returnUrl: `${PRODUCT}/x`, allowedOrigin: PRODUCT };
    const cases: Array<[string, Record<string, unknown>]> = [
      ["expiresInSeconds", { expiresInSeconds: 0 }],
      ["expiresInSeconds", { expiresInSeconds: 3601 }],
      ["returnUrl", { returnUrl: "/relative" }],
      ["returnUrl", { returnUrl: "javascript:alert(1)" }],
      ["returnUrl", { returnUrl: `${PRODUCT}/${"a".repeat(2048)}` }],
      ["allowedOrigin", { allowedOrigin: `${PRODUCT}/` }],
      ["allowedOrigin", { allowedOrigin: `${PRODUCT}/keys` }],
      ["allowedOrigin", { allowedOrigin: "product.example" }],
      ["allowedOrigin", { allowedOrigin: "ftp://product.example" }],
    ];
    for (const [field, change] of cases) {
      const answer = await gql(CREATE, { key: platform.secret, variables: { i: { ...good, ...change } } });
      expect([answer.code, answer.errors?.[0]?.extensions?.field], JSON.stringify(change)).toEqual(["BAD_USER_INPUT", field]);
    }
    expect((await gql(CREATE, { key: platform.secret, variables: { i: { ...good, expiresInSeconds: 3600 } } })).errors).toBeUndefined();

    const outsider = await seedOrganization("Outsider");
    const notMember = await gql(CREATE, { key: platform.secret, variables: { i: { ...good, userId: outsider.user.id } } });
    expect(notMember.code).toBe("NOT_FOUND");

    const orgKey = await gql(CREATE, { key: outsider.adminKey, variables: { i: { ...good, organizationId: outsider.organization.id, userId: outsider.user.id } } });
    expect([orgKey.status, orgKey.code]).toEqual([403, "FORBIDDEN"]);
    const readOnly = await seedPlatformKey(["PLATFORM_READ", "PLATFORM_VERIFY"]);
    const lacking = await gql(CREATE, { key: readOnly.secret, variables: { i: good } });
    expect([lacking.status, lacking.code]).toEqual([403, "FORBIDDEN"]);
    const noKey = await gql(CREATE, { variables: { i: good } });
    expect([noKey.status, noKey.code]).toEqual([401, "UNAUTHENTICATED"]);
  });

  it("/elements.js is an ES module any page may load: JavaScript, CORS for every origin, cross-origin resource policy", async () => {
    const { yoga } = await testServer();
    const response = await yoga.fetch(`${new URL(GRAPHQL_URL).origin}/elements.js`, { headers: { origin: PRODUCT } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    expect(await response.text()).toContain("keyward-api-keys");
    const post = await yoga.fetch(`${new URL(GRAPHQL_URL).origin}/elements.js`, { method: "POST" });
    expect(post.status).toBe(405);
  });
});

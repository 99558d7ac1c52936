import { describe, expect, it } from "vitest";
import { createSignInLink } from "../server/auth/sessions.ts";
import { loadConfig } from "../server/config.ts";
import { createLogger } from "../server/infra/logger.ts";
import { createKeywardYoga } from "../server/yoga.ts";
import { asConsole, ORIGIN, OWN_PAGE, SESSION_URL } from "./helpers/console.ts";
import { mutation, request, send, type Fetcher } from "./helpers/http.ts";
import { createKey, seedOrganization, type SeededOrganization } from "./helpers/seed.ts";
import { testServer } from "./helpers/server.ts";

const VIEWER = `{ viewer { role scopes user { email } apiKey { id } organization { id } } }`;

/** A fresh one-time link for the organization's first admin, as the first boot or `keyward signin-link` makes it. */
async function signInToken(org: SeededOrganization): Promise<string> {
  const { db, config } = await testServer();
  const url = await createSignInLink(db.prisma, config, { userId: org.user.id, organizationId: org.organization.id });
  return new URL(url).hash.slice(1);
}

async function signIn(yoga: Fetcher, body: Record<string, unknown>, headers: Record<string, string> = OWN_PAGE) {
  const answer = await send(yoga, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) }, SESSION_URL);
  const cookie = answer.headers.get("set-cookie");
  return { ...answer, cookie: cookie?.split(";", 1)[0] ?? null, setCookie: cookie };
}

describe("console sessions", () => {
  it("a sign-in link signs its member in once; the session acts as them, with no key", async () => {
    const { yoga } = await testServer();
    const org = await seedOrganization("Sessions");
    const token = await signInToken(org);

    const first = await signIn(yoga, { token });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ user: { email: org.user.email }, organization: { id: org.organization.id }, role: "ADMIN" });
    expect(first.setCookie).toMatch(/^keyward_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=604800$/);
    expect((await signIn(yoga, { token })).code).toBe("UNAUTHENTICATED");

    const viewer = await asConsole(yoga, first.cookie!, VIEWER);
    expect(viewer.status).toBe(200);
    expect(viewer.data?.viewer).toMatchObject({ role: "ADMIN", user: { email: org.user.email }, apiKey: null, organization: { id: org.organization.id } });
    expect(viewer.data?.viewer.scopes).toContain("KEYS_WRITE");
  });

  it("a sign-in link used by many requests at once signs in exactly one of them, round after round", async () => {
    const { yoga, db } = await testServer();
    const org = await seedOrganization("Racing link");
    for (let round = 0; round < 5; round++) {
      const token = await signInToken(org);
      const answers = await Promise.all(Array.from({ length: 8 }, () => signIn(yoga, { token })));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 401, 401, 401, 401, 401, 401, 401]);
    }
    expect(await db.prisma.session.count({ where: { userId: org.user.id } })).toBe(5);
  });

  it("an expired or never-made link, and a malformed request, are refused with their codes", async () => {
    const { yoga, db } = await testServer();
    const org = await seedOrganization("Expired link");
    const token = await signInToken(org);
    await db.prisma.signInLink.updateMany({ where: { userId: org.user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await signIn(yoga, { token })).code).toBe("UNAUTHENTICATED");
    expect((await signIn(yoga, { token: "x".repeat(43) })).status).toBe(401);
    const malformed = await signIn(yoga, { nothing: true });
    expect([malformed.status, malformed.code]).toEqual([400, "BAD_USER_INPUT"]);
  });

  it("cookies are accepted only from Keyward's own page: CSRF header and same origin", async () => {
    const { yoga } = await testServer();
    const org = await seedOrganization("Csrf");
    const { cookie } = await signIn(yoga, { token: await signInToken(org) });
    for (const headers of <Record<string, string>[]>[{ origin: ORIGIN }, { "x-graphql-csrf": "1" }, { origin: "https://evil.example", "x-graphql-csrf": "1" }]) {
      const refused = await asConsole(yoga, cookie!, VIEWER, undefined, headers);
      expect([refused.status, refused.code]).toEqual([403, "FORBIDDEN"]);
    }
    // Signing in is held to the same rule, so another site cannot sign a browser in to its own account.
    const foreign = await signIn(yoga, { token: await signInToken(org) }, { origin: "https://evil.example", "x-graphql-csrf": "1" });
    expect([foreign.status, foreign.code, foreign.cookie]).toEqual([403, "FORBIDDEN", null]);
  });

  it("a session cookie is never accepted on /mcp", async () => {
    const { yoga } = await testServer();
    const org = await seedOrganization("Mcp cookie");
    const { cookie } = await signIn(yoga, { token: await signInToken(org) });
    const body = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } };
    const response = await yoga.fetch(`${ORIGIN}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", cookie: cookie!, ...OWN_PAGE },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(401);
  });

  it("signing out ends the session on the server; an idle or past-its-end session is refused", async () => {
    const { yoga, db } = await testServer();
    const org = await seedOrganization("Sign out");
    const { cookie } = await signIn(yoga, { token: await signInToken(org) });
    const out = await send(yoga, { method: "DELETE", headers: { cookie: cookie!, ...OWN_PAGE } }, SESSION_URL);
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/^keyward_session=; .*Max-Age=0/);
    // The browser may keep the old cookie: it no longer speaks for anyone.
    expect((await asConsole(yoga, cookie!, VIEWER)).code).toBe("UNAUTHENTICATED");
    expect((await send(yoga, { headers: { cookie: cookie!, ...OWN_PAGE } }, SESSION_URL)).status).toBe(401);

    const idle = await signIn(yoga, { token: await signInToken(org) });
    const ended = await signIn(yoga, { token: await signInToken(org) });
    const ids = await db.prisma.session.findMany({ where: { userId: org.user.id }, orderBy: { createdAt: "asc" }, select: { id: true } });
    expect(ids).toHaveLength(2);
    await db.prisma.session.update({ where: { id: ids[0]!.id }, data: { lastSeenAt: new Date(Date.now() - 12 * 3600_000 - 1000) } });
    await db.prisma.session.update({ where: { id: ids[1]!.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await asConsole(yoga, idle.cookie!, VIEWER)).status).toBe(401);
    expect((await asConsole(yoga, ended.cookie!, VIEWER)).status).toBe(401);
  });

  it("signs in with a personal key; a service key, a revoked key and a wrong key cannot", async () => {
    const { yoga } = await testServer();
    const org = await seedOrganization("Key sign-in");
    const byKey = await signIn(yoga, { key: org.adminKey });
    expect([byKey.status, (byKey.body as any)?.user?.email]).toEqual([200, org.user.email]);
    const service = await createKey(org.adminKey, { kind: "SERVICE" });
    expect(await signIn(yoga, { key: service.secret }).then((a) => [a.status, a.code, a.cookie])).toEqual([403, "FORBIDDEN", null]);
    const revoked = await createKey(org.adminKey, {});
    await request(yoga, mutation("revokeApiKey"), { key: org.adminKey, variables: { i: { id: revoked.apiKey.id } } });
    expect((await signIn(yoga, { key: revoked.secret })).code).toBe("API_KEY_REVOKED");
    expect((await signIn(yoga, { key: `${org.adminKey.slice(0, -4)}AAAA` })).code).toBe("UNAUTHENTICATED");
  });

  it("acts with the member's role as it is now: demotion narrows at once, removal ends the session", async () => {
    const { yoga, db } = await testServer();
    const org = await seedOrganization("Roles");
    const invite = await request(yoga, mutation("inviteMember", "{ code url }"), {
      key: org.adminKey,
      variables: { i: { email: `member-${org.organization.id}@example.com`, role: "ADMIN" } },
    });
    const { code, url } = invite.data!.inviteMember;
    expect(url).toBe(`${(await testServer()).config.publicUrl}/join#${code}`);
    const joined = await request(yoga, mutation("acceptInvitation", "{ secret user { id } }"), { variables: { i: { code } } });
    const memberId = joined.data!.acceptInvitation.user.id;
    const { cookie } = await signIn(yoga, { key: joined.data!.acceptInvitation.secret });
    expect((await asConsole(yoga, cookie!, VIEWER)).data?.viewer.role).toBe("ADMIN");

    await request(yoga, mutation("updateMemberRole"), { key: org.adminKey, variables: { i: { userId: memberId, role: "MEMBER" } } });
    const demoted = await asConsole(yoga, cookie!, VIEWER);
    expect(demoted.data?.viewer.role).toBe("MEMBER");
    expect(demoted.data?.viewer.scopes).not.toContain("MEMBERS_WRITE");
    const invites = await asConsole(yoga, cookie!, mutation("inviteMember"), { i: { email: "x@example.com", role: "MEMBER" } });
    expect(invites.code).toBe("FORBIDDEN");

    await request(yoga, mutation("removeMember"), { key: org.adminKey, variables: { i: { userId: memberId } } });
    expect((await asConsole(yoga, cookie!, VIEWER)).status).toBe(401);
    expect(await db.prisma.session.count({ where: { userId: memberId } })).toBe(0);
  });

  it("audit events written through a session name the person and say via: console", async () => {
    const { yoga, db } = await testServer();
    const org = await seedOrganization("Audit via");
    const { cookie } = await signIn(yoga, { token: await signInToken(org) });
    const created = await asConsole(yoga, cookie!, mutation("createApiKey", "{ apiKey { id } }"), { i: { name: "From the console" } });
    const keyId = created.data!.createApiKey.apiKey.id;
    const event = await db.prisma.auditEvent.findFirstOrThrow({ where: { organizationId: org.organization.id, targetId: keyId } });
    expect(event).toMatchObject({ action: "API_KEY_CREATED", actorUserId: org.user.id, actorKeyId: null, metadata: expect.objectContaining({ via: "console" }) });
  });

  it("switches organization only to one the person belongs to", async () => {
    const { yoga } = await testServer();
    const home = await seedOrganization("Home");
    const other = await seedOrganization("Other");
    const invite = await request(yoga, mutation("inviteMember", "{ code }"), { key: other.adminKey, variables: { i: { email: home.user.email, role: "MEMBER" } } });
    await request(yoga, mutation("acceptInvitation"), { variables: { i: { code: invite.data!.inviteMember.code } } });
    const { cookie, body } = await signIn(yoga, { token: await signInToken(home) });
    expect((body as any).organizations.map((o: { id: string }) => o.id)).toEqual([home.organization.id, other.organization.id]);
    const patch = (organizationId: string) =>
      send(yoga, { method: "PATCH", headers: { "content-type": "application/json", cookie: cookie!, ...OWN_PAGE }, body: JSON.stringify({ organizationId }) }, SESSION_URL);
    const switched = await patch(other.organization.id);
    expect([switched.status, (switched.body as any).role]).toEqual([200, "MEMBER"]);
    expect((await asConsole(yoga, cookie!, VIEWER)).data?.viewer).toMatchObject({ role: "MEMBER", organization: { id: other.organization.id } });
    const stranger = await seedOrganization("Stranger");
    expect((await patch(stranger.organization.id)).code).toBe("FORBIDDEN");
  });

  it("marks the cookie Secure over HTTPS, and never logs a session or sign-in token", async () => {
    const { services } = await testServer();
    const lines: string[] = [];
    const yoga = createKeywardYoga({ ...services, logger: createLogger("debug", (line) => lines.push(line)) });
    const org = await seedOrganization("Secure");
    const token = await signInToken(org);
    const secure = await send(
      yoga,
      { method: "POST", headers: { "content-type": "application/json", origin: "https://keyward.test", "x-graphql-csrf": "1" }, body: JSON.stringify({ token }) },
      "https://keyward.test/console/session",
    );
    expect(secure.headers.get("set-cookie")).toMatch(/; Secure$/);
    const cookie = secure.headers.get("set-cookie")!.split(";", 1)[0]!;
    await asConsole(yoga, cookie, VIEWER, undefined, { origin: "https://keyward.test", "x-graphql-csrf": "1" });
    await signIn(yoga, { token });
    expect(lines.length).toBeGreaterThan(0);
    const logs = lines.join("\n");
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(cookie.split("=")[1]);
  });

  it("with KEYWARD_CONSOLE=false: no pages, no session endpoint, and cookies are ignored", async () => {
    const { services } = await testServer();
    const org = await seedOrganization("Console off");
    const { cookie } = await signIn((await testServer()).yoga, { token: await signInToken(org) });
    const yoga = createKeywardYoga({ ...services, config: { ...services.config, console: false } });
    expect((await yoga.fetch(`${ORIGIN}/`)).status).toBe(404);
    expect((await yoga.fetch(SESSION_URL, { headers: OWN_PAGE })).status).toBe(404);
    expect((await asConsole(yoga, cookie!, VIEWER)).status).toBe(401);
    expect(loadConfig({ KEYWARD_CONSOLE: "false" }).console).toBe(false);
    expect(loadConfig({ NODE_ENV: "production" }).console).toBe(true);
  });

  it("console responses carry a strict Content-Security-Policy and refuse framing", async () => {
    const { yoga } = await testServer();
    const response = await yoga.fetch(SESSION_URL, { headers: OWN_PAGE });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const page = await yoga.fetch(`${ORIGIN}/members`);
    expect([200, 503]).toContain(page.status);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect((await yoga.fetch(`${ORIGIN}/console/assets/../../package.json`)).status).toBe(404);
    expect((await yoga.fetch(`${ORIGIN}/`, { method: "POST" })).status).toBe(405);
  });
});

import { describe, expect, it } from "vitest";
import { addMember } from "./helpers/members.ts";
import { inProcessFetch, keywardError, refusal, scripted, sdk } from "./helpers/sdk.ts";
import { seedOrganization } from "./helpers/seed.ts";

const email = () => `sdk-${crypto.randomUUID()}@example.com`;

describe("the SDK against the real server", () => {
  it("runs a key's whole life: create, read, list, rename, disable, enable, verify, rotate, usage, revoke, delete, audit", async () => {
    const org = await seedOrganization();
    const kw = await sdk(org.adminKey);
    const viewer = await kw.viewer();
    expect([viewer.role, viewer.organization.id, viewer.user?.email]).toEqual(["ADMIN", org.organization.id, org.user.email]);
    expect(await kw.organization()).toMatchObject({ id: org.organization.id, name: org.organization.name, slug: org.organization.slug });

    const { apiKey, secret } = await kw.createApiKey({ name: "CI", scopes: ["KEYS_READ", "KEYS_VERIFY"] });
    expect(apiKey).toMatchObject({ name: "CI", status: "ENABLED", kind: "PERSONAL", environment: "LIVE", scopes: ["KEYS_READ", "KEYS_VERIFY"] });
    expect(secret.endsWith(apiKey.maskedKey.slice(-4))).toBe(true);
    expect(apiKey).not.toHaveProperty("secret");
    expect((await kw.apiKey({ id: apiKey.id }))?.createdBy?.id).toBe(org.user.id);
    expect(await kw.apiKey({ id: "nonexistent0" })).toBeNull();
    expect((await kw.apiKeys({ first: 50 })).edges.map((e) => e.node.id)).toContain(apiKey.id);

    expect((await kw.renameApiKey({ id: apiKey.id, name: "CI-2" })).apiKey.name).toBe("CI-2");
    expect((await kw.disableApiKey({ id: apiKey.id })).apiKey.status).toBe("DISABLED");
    await keywardError((await sdk(secret)).viewer(), "API_KEY_DISABLED", 403);
    expect((await kw.enableApiKey({ id: apiKey.id })).apiKey.status).toBe("ENABLED");

    const holder = await sdk(secret);
    expect(await holder.verifyApiKey({ key: org.adminKey })).toMatchObject({ valid: true, code: null });
    // One character changed (never to itself): the checksum refuses it.
    const typo = `${org.adminKey.slice(0, -1)}${org.adminKey.endsWith("x") ? "y" : "x"}`;
    const refusal = await holder.verifyApiKey({ key: typo });
    expect([refusal.valid, refusal.code]).toEqual([false, "UNAUTHENTICATED"]);

    const rotated = await kw.rotateApiKey({ id: apiKey.id });
    expect([rotated.apiKey.id, rotated.secret === secret]).toEqual([apiKey.id, false]);
    await keywardError((await sdk(secret)).viewer(), "UNAUTHENTICATED", 401);
    expect((await (await sdk(rotated.secret)).viewer()).apiKey?.id).toBe(apiKey.id);

    // Date objects are accepted for DateTime variables.
    const usage = await kw.apiKeyUsage({ id: apiKey.id, from: new Date(Date.now() - 86_400_000), to: new Date() });
    expect(usage.map((d) => d.date)).toContain(new Date().toISOString().slice(0, 10));
    expect(usage.reduce((sum, d) => sum + d.requests, 0)).toBe(3);

    expect((await kw.revokeApiKey({ id: apiKey.id })).apiKey.status).toBe("REVOKED");
    const revoked = await keywardError((await sdk(rotated.secret)).viewer(), "API_KEY_REVOKED", 403);
    expect(revoked.errors[0]?.extensions?.code).toBe("API_KEY_REVOKED");
    expect(revoked.message).toMatch(/revoked/i);

    await keywardError(kw.deleteApiKey({ id: apiKey.id }), "CONFIRMATION_REQUIRED", 200);
    expect((await kw.deleteApiKey({ id: apiKey.id, confirm: true })).deletedApiKeyId).toBe(apiKey.id);
    const events = await kw.auditEvents({ apiKeyId: apiKey.id, first: 50 });
    expect(events.edges.map((e) => e.node.action)).toEqual(
      expect.arrayContaining(["API_KEY_CREATED", "API_KEY_RENAMED", "API_KEY_DISABLED", "API_KEY_ENABLED", "API_KEY_ROTATED", "API_KEY_REVOKED", "API_KEY_DELETED"]),
    );
  });

  it("invites, accepts, lists, promotes and removes members; cancels invitations; signs up", async () => {
    const org = await seedOrganization();
    const kw = await sdk(org.adminKey);
    const invited = await kw.inviteMember({ email: email(), role: "MEMBER" });
    expect(invited.code.length).toBeGreaterThan(10);
    expect((await kw.invitations()).map((i) => i.id)).toContain(invited.invitation.id);
    const accepted = await (await sdk()).acceptInvitation({ code: invited.code, keyName: "laptop" });
    expect([accepted.membership.role, accepted.organization.id, accepted.apiKey.name]).toEqual(["MEMBER", org.organization.id, "laptop"]);
    expect((await (await sdk(accepted.secret)).viewer()).user?.id).toBe(accepted.user.id);
    expect((await kw.invitations()).map((i) => i.id)).not.toContain(invited.invitation.id);

    const member = await addMember(org.adminKey);
    const listed = (await kw.members({ first: 10 })).edges.map((e) => e.node.user.id);
    expect(listed.sort()).toEqual([org.user.id, accepted.user.id, member.userId].sort());
    expect((await kw.updateMemberRole({ userId: member.userId, role: "ADMIN" })).membership.role).toBe("ADMIN");
    expect((await (await sdk(member.key)).viewer()).role).toBe("ADMIN");
    const removed = await kw.removeMember({ userId: member.userId });
    expect([removed.removedUserId, removed.revokedApiKeyIds]).toEqual([member.userId, [member.keyId]]);
    await keywardError((await sdk(member.key)).viewer(), "API_KEY_REVOKED", 403);

    const second = await kw.inviteMember({ email: email(), role: "ADMIN" });
    expect((await kw.cancelInvitation({ id: second.invitation.id })).invitation.id).toBe(second.invitation.id);
    await keywardError((await sdk()).acceptInvitation({ code: second.code }), "INVITATION_CANCELLED");

    const signedUp = await (await sdk()).signUp({ organizationName: "SDK Inc", email: email() });
    const founder = await (await sdk(signedUp.secret)).viewer();
    expect([founder.organization.id, founder.role, founder.apiKey?.id]).toEqual([signedUp.organization.id, "ADMIN", signedUp.apiKey.id]);
  });

  it("connects an agent with a key of its own", async () => {
    const org = await seedOrganization();
    const kw = await sdk(org.adminKey);
    const agent = await kw.connectAgent({ client: "CLAUDE_CODE" });
    expect(agent.command).toContain(agent.secret);
    expect(agent.mcpUrl).toMatch(/\/mcp$/);
    const asAgent = await (await sdk(agent.secret)).viewer();
    expect(asAgent.apiKey?.id).toBe(agent.apiKey.id);
    expect(asAgent.scopes).not.toContain("KEYS_WRITE");
  });

  it("surfaces refusals as KeywardError with code and status", async () => {
    const org = await seedOrganization();
    const kw = await sdk(org.adminKey);
    const bad = await keywardError(kw.createApiKey({ name: "" }), "BAD_USER_INPUT", 200);
    expect(bad.errors).toHaveLength(1);
    await keywardError(kw.createApiKey({ name: "later", expiresAt: new Date(Date.now() - 60_000) }), "BAD_USER_INPUT");
    await keywardError(kw.revokeApiKey({ id: "nonexistent0" }), "NOT_FOUND", 200);
    await keywardError((await sdk()).viewer(), "UNAUTHENTICATED", 401);
    await keywardError((await sdk("kw_live_nonsense")).organization(), "UNAUTHENTICATED", 401);
    const member = await addMember(org.adminKey);
    await keywardError((await sdk(member.key)).createApiKey({ name: "svc", kind: "SERVICE" }), "FORBIDDEN");
    await keywardError((await sdk(member.key)).removeMember({ userId: org.user.id }), "FORBIDDEN");
    await keywardError(kw.removeMember({ userId: org.user.id }), "LAST_ADMIN");
    // Another organization's key is invisible, exactly like a missing one.
    const other = await (await sdk((await seedOrganization("Other")).adminKey)).createApiKey({ name: "theirs" });
    await keywardError(kw.revokeApiKey({ id: other.apiKey.id }), "NOT_FOUND");
  });
});

describe("pagination", () => {
  it("follows endCursor through every page of keys, asking for the next page only when needed", async () => {
    const org = await seedOrganization();
    const kw = await sdk(org.adminKey);
    for (let i = 0; i < 5; i++) await kw.createApiKey({ name: `page ${i}` });
    const all = (await kw.apiKeys({ first: 100 })).edges.map((e) => e.node.id);
    expect(all).toHaveLength(6); // the admin's own key and five more

    const forward = await inProcessFetch();
    const pages: Array<number | null> = [];
    const counted = await sdk(org.adminKey, {
      fetch: async (url, init) => {
        pages.push((JSON.parse(String(init.body)) as { variables: { first: number | null } }).variables.first);
        return forward(url, init);
      },
    });
    const ids: string[] = [];
    for await (const key of counted.paginate.apiKeys({ first: 2 })) ids.push(key.id);
    expect(ids).toEqual(all);
    expect(pages).toEqual([2, 2, 2]);

    const firstTwo: string[] = [];
    for await (const key of counted.paginate.apiKeys({ first: 2 })) {
      firstTwo.push(key.id);
      if (firstTwo.length === 2) break;
    }
    expect(pages).toHaveLength(4);
  });

  it("pages through members and audit events", async () => {
    const org = await seedOrganization();
    const kw = await sdk(org.adminKey);
    const joined = [await addMember(org.adminKey), await addMember(org.adminKey)].map((m) => m.userId);
    const members: string[] = [];
    for await (const membership of kw.paginate.members({ first: 1 })) members.push(membership.user.id);
    expect(members).toEqual([org.user.id, ...joined]);

    const key = await kw.createApiKey({ name: "audited" });
    for (const name of ["a", "b", "c"]) await kw.renameApiKey({ id: key.apiKey.id, name });
    const actions: string[] = [];
    for await (const event of kw.paginate.auditEvents({ apiKeyId: key.apiKey.id, first: 2 })) actions.push(event.action);
    expect(actions).toEqual(["API_KEY_RENAMED", "API_KEY_RENAMED", "API_KEY_RENAMED", "API_KEY_CREATED"]);
  });
});

describe("retries", () => {
  it("retries a 429 after Retry-After: 0, then succeeds", async () => {
    const org = await seedOrganization();
    const script = await scripted((n) => (n === 1 ? refusal(429, "RATE_LIMITED", { "retry-after": "0" }) : undefined));
    const kw = await sdk(org.adminKey, { fetch: script.fetch });
    expect((await kw.viewer()).organization.id).toBe(org.organization.id);
    expect(script.calls).toHaveLength(2);
  });

  it("never retries a 500: one call, INTERNAL_SERVER_ERROR", async () => {
    const org = await seedOrganization();
    const script = await scripted(() => refusal(500, "INTERNAL_SERVER_ERROR"));
    await keywardError((await sdk(org.adminKey, { fetch: script.fetch, retryDelayMs: 1 })).viewer(), "INTERNAL_SERVER_ERROR", 500);
    expect(script.calls).toHaveLength(1);
  });
});

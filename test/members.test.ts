import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { FailureLimiter } from "../server/infra/rateLimit.ts";
import { createKeywardYoga } from "../server/yoga.ts";
import { gql, mutation, request } from "./helpers/http.ts";
import { ACCEPT, INVITE, addMember } from "./helpers/members.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";
import { testServer } from "./helpers/server.ts";

const ROLE = mutation("updateMemberRole", "{ membership { role user { id } } }");
const REMOVE = mutation("removeMember", "{ removedUserId revokedApiKeyIds }");
const CANCEL = mutation("cancelInvitation", "{ invitation { id } }");
const AUDIT = `{ auditEvents { edges { node { action } } } }`;

describe("invitations", () => {
  it("an invited colleague accepts, gets a working personal key for the invited role, and shows in members", async () => {
    const org = await seedOrganization();
    const invited = await gql(INVITE, { key: org.adminKey, variables: { input: { email: " Colleague@Example.com ", role: "MEMBER" } } });
    expect(invited.data?.inviteMember.invitation).toMatchObject({ email: "colleague@example.com", role: "MEMBER" });
    const pending = await gql(`{ invitations { email } }`, { key: org.adminKey });
    expect(pending.data?.invitations).toEqual([{ email: "colleague@example.com" }]);

    const accepted = await gql(ACCEPT, { variables: { input: { code: invited.data?.inviteMember.code, keyName: "laptop" } } });
    expect(accepted.status).toBe(200);
    const { secret, membership, organization } = accepted.data?.acceptInvitation;
    expect(membership.role).toBe("MEMBER");
    expect(organization.id).toBe(org.organization.id);

    const viewer = await gql(`{ viewer { role user { email } apiKey { name } } members { edges { node { role user { email } } } } }`, { key: secret });
    expect(viewer.data?.viewer).toEqual({ role: "MEMBER", user: { email: "colleague@example.com" }, apiKey: { name: "laptop" } });
    expect(viewer.data?.members.edges.map((e: any) => e.node.role)).toEqual(["ADMIN", "MEMBER"]);
    expect((await gql(`{ invitations { email } }`, { key: org.adminKey })).data?.invitations).toEqual([]);

    const events = await gql(AUDIT, { key: org.adminKey });
    expect(events.data?.auditEvents.edges.map((e: any) => e.node.action).slice(0, 3)).toEqual([
      "API_KEY_CREATED",
      "MEMBER_JOINED",
      "MEMBER_INVITED",
    ]);
  });

  it("gives a person one way in at a time: no second pending invitation, none left open after joining or removal", async () => {
    const org = await seedOrganization();
    const { db } = await testServer();
    const email = `gina-${crypto.randomUUID()}@example.com`;
    const first = (await gql(INVITE, { key: org.adminKey, variables: { input: { email, role: "MEMBER" } } })).data?.inviteMember;
    const again = await gql(INVITE, { key: org.adminKey, variables: { input: { email, role: "ADMIN" } } });
    expect([again.code, again.errors?.[0]?.extensions?.invitationId]).toEqual(["CONFLICT", first.invitation.id]);

    // A second open invitation, as two admins racing before this rule (or older data) could leave.
    const stray = async (role: "ADMIN" | "MEMBER") => {
      const code = `kwinv_${"S".repeat(16)}${crypto.randomUUID().replace(/-/g, "").slice(0, 16)}`;
      const row = await db.prisma.invitation.create({
        data: { organizationId: org.organization.id, email, role, codeHash: createHash("sha256").update(code).digest("hex"), expiresAt: new Date(Date.now() + 3_600_000) },
      });
      return { code, id: row.id };
    };
    const raced = await stray("ADMIN");
    const joined = await gql(ACCEPT, { variables: { input: { code: first.code } } });
    expect(joined.status).toBe(200);
    expect((await gql(ACCEPT, { variables: { input: { code: raced.code } } })).code).toBe("INVITATION_CANCELLED");

    const leftOpen = await stray("ADMIN");
    const { userId, keyId } = { userId: joined.data?.acceptInvitation.user.id, keyId: joined.data?.acceptInvitation.apiKey.id };
    expect((await gql(REMOVE, { key: org.adminKey, variables: { i: { userId } } })).data?.removeMember.revokedApiKeyIds).toEqual([keyId]);
    expect((await gql(ACCEPT, { variables: { input: { code: leftOpen.code } } })).code).toBe("INVITATION_CANCELLED");

    const history = await gql(`query($id: ID!) { auditEvents(apiKeyId: $id) { edges { node { action metadata } } } }`, { key: org.adminKey, variables: { id: keyId } });
    expect(history.data?.auditEvents.edges.map((e: any) => e.node)).toContainEqual({ action: "API_KEY_REVOKED", metadata: { from: "ENABLED", to: "REVOKED", reason: "member_removed" } });
    const cancelled = await gql(`{ auditEvents(action: INVITATION_CANCELLED) { edges { node { targetId metadata } } } }`, { key: org.adminKey });
    expect(cancelled.data?.auditEvents.edges.map((e: any) => e.node)).toEqual([
      { targetId: leftOpen.id, metadata: { email, reason: "member_removed" } },
      { targetId: raced.id, metadata: { email, reason: "joined" } },
    ]);

    // Invited again after removal: a new way in, a new key; the old one stays revoked.
    const back = await addMember(org.adminKey, "MEMBER", email);
    expect((await gql(`{ viewer { role } }`, { key: back.key })).status).toBe(200);
    expect((await gql(`{ viewer { role } }`, { key: joined.data?.acceptInvitation.secret })).code).toBe("API_KEY_REVOKED");
  });

  it("refuses used, cancelled, expired and unknown codes with their own codes", async () => {
    const org = await seedOrganization();
    const invite = async () =>
      (await gql(INVITE, { key: org.adminKey, variables: { input: { email: `x-${crypto.randomUUID()}@example.com`, role: "MEMBER" } } })).data
        ?.inviteMember;
    const accept = (code: string) => gql(ACCEPT, { variables: { input: { code } } });

    const used = await invite();
    expect((await accept(used.code)).status).toBe(200);
    expect((await accept(used.code)).code).toBe("INVITATION_USED");

    const cancelled = await invite();
    expect((await gql(CANCEL, { key: org.adminKey, variables: { i: { id: cancelled.invitation.id } } })).data?.cancelInvitation).toBeTruthy();
    expect((await accept(cancelled.code)).code).toBe("INVITATION_CANCELLED");

    const expired = await invite();
    const { db } = await testServer();
    await db.prisma.invitation.update({ where: { id: expired.invitation.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await accept(expired.code)).code).toBe("INVITATION_EXPIRED");

    for (const code of ["", "kwinv_" + "a".repeat(32), "nonsense", "x".repeat(5000)]) {
      expect((await accept(code)).code).toBe("NOT_FOUND");
    }
  });

  it("refuses bad input and existing members", async () => {
    const org = await seedOrganization();
    for (const input of [
      { email: "not-an-email", role: "MEMBER" },
      { email: "a@b.co", role: "MEMBER", expiresInHours: 0 },
      { email: `${"a".repeat(300)}@example.com`, role: "MEMBER" },
    ]) {
      expect((await gql(INVITE, { key: org.adminKey, variables: { input } })).code).toBe("BAD_USER_INPUT");
    }
    const member = await addMember(org.adminKey);
    expect((await gql(INVITE, { key: org.adminKey, variables: { input: { email: member.email, role: "ADMIN" } } })).code).toBe("CONFLICT");
  });

  it("throttles repeated bad codes with 429 and Retry-After", async () => {
    const { services } = await testServer();
    const yoga = createKeywardYoga({ ...services, rateLimits: { ...services.rateLimits, invitations: new FailureLimiter(3, 60_000) } });
    const attempt = async () => {
      const { status, code, headers } = await request(yoga, ACCEPT, { variables: { input: { code: "kwinv_" + "b".repeat(32) } } });
      return { status, code, retryAfter: headers.get("retry-after") };
    };
    for (let i = 0; i < 3; i++) expect((await attempt()).code).toBe("NOT_FOUND");
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(limited.code).toBe("RATE_LIMITED");
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
  });
});

describe("roles follow their owners live", () => {
  it("demoting an admin narrows their keys on the next request; promoting widens them again", async () => {
    const org = await seedOrganization();
    const second = await addMember(org.adminKey, "ADMIN");
    expect((await gql(AUDIT, { key: second.key })).status).toBe(200);

    await gql(ROLE, { key: org.adminKey, variables: { i: { userId: second.userId, role: "MEMBER" } } });
    const narrowed = await gql(AUDIT, { key: second.key });
    expect([narrowed.status, narrowed.code]).toEqual([403, "FORBIDDEN"]);
    expect((await gql(`{ viewer { role } }`, { key: second.key })).data?.viewer.role).toBe("MEMBER");

    await gql(ROLE, { key: org.adminKey, variables: { i: { userId: second.userId, role: "ADMIN" } } });
    expect((await gql(AUDIT, { key: second.key })).status).toBe(200);
  });

  it("removing a member refuses all their personal keys at once, and re-inviting them does not revive them", async () => {
    const org = await seedOrganization();
    const member = await addMember(org.adminKey);
    const extra = await createKey(member.key, { name: "second" });
    const removed = await gql(REMOVE, { key: org.adminKey, variables: { i: { userId: member.userId } } });
    expect(removed.data?.removeMember.revokedApiKeyIds.sort()).toEqual([member.keyId, extra.id].sort());
    for (const key of [member.key, extra.secret]) {
      const refused = await gql(`{ viewer { role } }`, { key });
      expect([refused.status, refused.code]).toEqual([403, "API_KEY_REVOKED"]);
    }

    const again = await addMember(org.adminKey, "MEMBER", member.email);
    expect(again.userId).toBe(member.userId);
    expect((await gql(`{ viewer { role } }`, { key: again.key })).status).toBe(200);
    expect((await gql(`{ viewer { role } }`, { key: member.key })).code).toBe("API_KEY_REVOKED");
  });

  it("service keys belong to the organization and outlive their creator", async () => {
    const org = await seedOrganization();
    const creator = await addMember(org.adminKey, "ADMIN");
    const service = await createKey(creator.key, { kind: "SERVICE", scopes: ["KEYS_READ"] });
    await gql(REMOVE, { key: org.adminKey, variables: { i: { userId: creator.userId } } });
    expect((await gql(`{ apiKeys { edges { node { id } } } }`, { key: service.secret })).status).toBe(200);
  });

  it("an organization always keeps an admin", async () => {
    const org = await seedOrganization();
    const self = org.user.id;
    expect((await gql(ROLE, { key: org.adminKey, variables: { i: { userId: self, role: "MEMBER" } } })).code).toBe("LAST_ADMIN");
    expect((await gql(REMOVE, { key: org.adminKey, variables: { i: { userId: self } } })).code).toBe("LAST_ADMIN");
    const second = await addMember(org.adminKey, "ADMIN");
    const demoted = await gql(ROLE, { key: second.key, variables: { i: { userId: self, role: "MEMBER" } } });
    expect(demoted.data?.updateMemberRole.membership.role).toBe("MEMBER");
    expect((await gql(REMOVE, { key: second.key, variables: { i: { userId: second.userId } } })).code).toBe("LAST_ADMIN");
  });
});

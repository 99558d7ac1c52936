import { describe, expect, it } from "vitest";
import { gql, mutation } from "./helpers/http.ts";
import { ACCEPT, INVITE, addMember } from "./helpers/members.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";
import { testServer } from "./helpers/server.ts";

const ROTATE = mutation("rotateApiKey", "{ secret }");
const ROLE = mutation("updateMemberRole", "{ membership { role } }");
const REMOVE = mutation("removeMember", "{ removedUserId }");
const VIEWER = `{ viewer { scopes } }`;

const rotate = (key: string, id: string) => gql(ROTATE, { key, variables: { i: { id } } });
const invite = (key: string, role: "ADMIN" | "MEMBER", email = `p-${crypto.randomUUID()}@example.com`) =>
  gql(INVITE, { key, variables: { input: { email, role } } });
const accept = (code: string) => gql(ACCEPT, { variables: { input: { code } } });

describe("an operation that returns a secret returns no more than the calling key holds", () => {
  it("rotateApiKey refuses a key that may do more than the caller (scopes, reach or an admin's standing)", async () => {
    const org = await seedOrganization();
    const adminKeyId = org.apiKey.id;
    const service = await createKey(org.adminKey, { kind: "SERVICE", scopes: ["KEYS_READ", "KEYS_WRITE"] });
    const narrowAdmin = await createKey(org.adminKey, { scopes: ["KEYS_WRITE"] });
    const agent = await gql(`mutation { connectAgent(input: { client: CURSOR, scopes: [KEYS_READ, KEYS_WRITE] }) { secret } }`, { key: org.adminKey });
    const agentKey: string = agent.data?.connectAgent.secret;
    const wideService = await createKey(org.adminKey, { kind: "SERVICE", scopes: ["KEYS_READ", "KEYS_WRITE", "KEYS_VERIFY"] });
    const member = await addMember(org.adminKey, "MEMBER");

    for (const [caller, target, why] of [
      [service.secret, adminKeyId, "a SERVICE key, the admin's key"],
      [narrowAdmin.secret, adminKeyId, "an admin's narrow key, the admin's full key"],
      [agentKey, adminKeyId, "an agent key, the admin's key"],
      [service.secret, wideService.id, "a SERVICE key, a SERVICE key with one more scope"],
      [narrowAdmin.secret, service.id, "KEYS_WRITE alone, a key that also reads"],
      [service.secret, member.keyId, "a SERVICE key, a member's key with scopes it lacks"],
    ] as const) {
      const refused = await rotate(caller, target);
      expect([refused.status, refused.code, refused.data?.rotateApiKey ?? null], why).toEqual([403, "FORBIDDEN", null]);
    }
    // Nothing changed: the admin's key still works with its one secret.
    expect((await gql(VIEWER, { key: org.adminKey })).data?.viewer.scopes).toHaveLength(8);

    // Within the caller's reach it works: a narrower SERVICE key, one's own key, anything for a full admin key.
    const narrowService = await createKey(org.adminKey, { kind: "SERVICE", scopes: ["KEYS_READ"] });
    expect((await rotate(service.secret, narrowService.id)).data?.rotateApiKey.secret).toMatch(/^kw_live_/);
    expect((await rotate(member.key, member.keyId)).data?.rotateApiKey.secret).toMatch(/^kw_live_/);
    expect((await rotate(org.adminKey, wideService.id)).data?.rotateApiKey.secret).toMatch(/^kw_live_/);
  });
});

describe("giving a role needs everything the role grants", () => {
  it("a MEMBERS_WRITE-only SERVICE key can invite no one; a full SERVICE key invites members, never admins", async () => {
    const org = await seedOrganization();
    const membersOnly = await createKey(org.adminKey, { kind: "SERVICE", scopes: ["MEMBERS_WRITE"] });
    for (const role of ["ADMIN", "MEMBER"] as const) {
      const refused = await invite(membersOnly.secret, role);
      expect([refused.status, refused.code, refused.data?.inviteMember ?? null], role).toEqual([403, "FORBIDDEN", null]);
    }
    const full = await createKey(org.adminKey, { kind: "SERVICE" });
    const asAdmin = await invite(full.secret, "ADMIN");
    expect([asAdmin.status, asAdmin.code]).toEqual([403, "FORBIDDEN"]);
    const asMember = await invite(full.secret, "MEMBER");
    expect(asMember.data?.inviteMember.invitation.role).toBe("MEMBER");
    const joined = await accept(asMember.data?.inviteMember.code);
    expect(joined.data?.acceptInvitation.membership.role).toBe("MEMBER");

    // Nor may it promote anyone to admin.
    const promoted = await gql(ROLE, { key: full.secret, variables: { i: { userId: joined.data?.acceptInvitation.user.id, role: "ADMIN" } } });
    expect([promoted.status, promoted.code]).toEqual([403, "FORBIDDEN"]);
    // An admin's key narrowed to MEMBERS_WRITE cannot hand out what it does not hold either.
    const narrow = await createKey(org.adminKey, { scopes: ["MEMBERS_WRITE"] });
    expect((await invite(narrow.secret, "ADMIN")).code).toBe("FORBIDDEN");
    expect((await gql(ROLE, { key: narrow.secret, variables: { i: { userId: joined.data?.acceptInvitation.user.id, role: "ADMIN" } } })).code).toBe("FORBIDDEN");
  });
});

describe("pending invitations die with their issuer's right to issue them", () => {
  it("removal and demotion cancel the invitations a person sent; a revoked SERVICE key's invitations no longer admit", async () => {
    const org = await seedOrganization();
    for (const change of ["remove", "demote"] as const) {
      const inviter = await addMember(org.adminKey, "ADMIN");
      const sent = await invite(inviter.key, "ADMIN", `back-${crypto.randomUUID()}@example.com`);
      const code: string = sent.data?.inviteMember.code;
      if (change === "remove") await gql(REMOVE, { key: org.adminKey, variables: { i: { userId: inviter.userId } } });
      else await gql(ROLE, { key: org.adminKey, variables: { i: { userId: inviter.userId, role: "MEMBER" } } });
      const refused = await accept(code);
      expect([refused.code, refused.data?.acceptInvitation ?? null], change).toEqual(["INVITATION_CANCELLED", null]);
      const open = await gql(`{ invitations { id } }`, { key: org.adminKey });
      expect(open.data?.invitations.map((i: { id: string }) => i.id)).not.toContain(sent.data?.inviteMember.invitation.id);
    }

    const service = await createKey(org.adminKey, { kind: "SERVICE" });
    const sent = await invite(service.secret, "MEMBER");
    await gql(mutation("revokeApiKey", "{ apiKey { status } }"), { key: org.adminKey, variables: { i: { id: service.id } } });
    expect((await accept(sent.data?.inviteMember.code)).code).toBe("INVITATION_CANCELLED");
  });
});

describe("revocation is permanent in the database too", () => {
  it("refuses any change of a revoked key's status or secret, even written directly", async () => {
    const org = await seedOrganization();
    const key = await createKey(org.adminKey);
    await gql(mutation("revokeApiKey", "{ apiKey { status } }"), { key: org.adminKey, variables: { i: { id: key.id } } });
    const { db } = await testServer();
    await expect(db.prisma.$executeRaw`UPDATE "ApiKey" SET "status" = 'ENABLED' WHERE "id" = ${key.id}`).rejects.toThrow(/revoked/);
    await expect(db.prisma.$executeRaw`UPDATE "ApiKey" SET "secretHash" = 'x' WHERE "id" = ${key.id}`).rejects.toThrow(/revoked/);
    await expect(
      db.prisma.$executeRaw`UPDATE "ApiKey" SET "previousSecretHash" = 'x', "previousSecretExpiresAt" = now() + interval '1 hour' WHERE "id" = ${key.id}`,
    ).rejects.toThrow(/revoked/);
    // What a record keeps changing stays allowed: its name, its last use.
    expect(await db.prisma.$executeRaw`UPDATE "ApiKey" SET "name" = 'old', "lastUsedAt" = now() WHERE "id" = ${key.id}`).toBe(1);
    const row = await db.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.status).toBe("REVOKED");
    expect((await gql(VIEWER, { key: key.secret })).code).toBe("API_KEY_REVOKED");
  });

  it("each status change is audited with the move that happened; a no-op writes nothing", async () => {
    const org = await seedOrganization();
    const key = await createKey(org.adminKey);
    const op = (name: string) => gql(mutation(name, "{ apiKey { status } }"), { key: org.adminKey, variables: { i: { id: key.id } } });
    for (const name of ["disableApiKey", "disableApiKey", "enableApiKey", "revokeApiKey", "revokeApiKey"]) await op(name);
    const enable = await op("enableApiKey");
    expect(enable.code).toBe("BAD_USER_INPUT");
    const history = await gql(`query($id: ID!) { auditEvents(apiKeyId: $id) { edges { node { action metadata } } } }`, { key: org.adminKey, variables: { id: key.id } });
    const moves = history.data?.auditEvents.edges
      .map((e: any) => e.node)
      .filter((n: any) => n.action !== "API_KEY_CREATED")
      .map((n: any) => `${n.metadata.from}→${n.metadata.to}`)
      .reverse();
    expect(moves).toEqual(["ENABLED→DISABLED", "DISABLED→ENABLED", "ENABLED→REVOKED"]);
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { asConsole, sessionCookie } from "./helpers/console.ts";
import { gql, mutation, type GraphQLResponse } from "./helpers/http.ts";
import { addMember, INVITE } from "./helpers/members.ts";
import { createKey, seedOrganization, type SeededOrganization } from "./helpers/seed.ts";
import { schema } from "../server/schema/index.ts";
import { editedDirectly, testServer } from "./helpers/server.ts";

/**
 * Every operation × { admin, member, member acting on someone else's key, removed member,
 * another organization's admin }, asserting HTTP status and extensions.code.
 * A fresh world per row, so one row's changes never decide another's outcome.
 */
interface World {
  org: SeededOrganization;
  disabledKey: string;
  expiredKey: string;
  member: Awaited<ReturnType<typeof addMember>>;
  removed: Awaited<ReturnType<typeof addMember>>;
  outsider: SeededOrganization;
  targetKeyId: string;
  memberKeyId: string;
  invitationId: string;
}

async function world(): Promise<World> {
  const org = await seedOrganization("Matrix");
  const member = await addMember(org.adminKey);
  const removed = await addMember(org.adminKey);
  await gql(mutation("removeMember", "{ removedUserId }"), {
    key: org.adminKey,
    variables: { i: { userId: removed.userId } },
  });
  const target = await createKey(org.adminKey, { name: "admin's other key" });
  const disabled = await createKey(org.adminKey, { name: "disabled" });
  await gql(mutation("disableApiKey"), { key: org.adminKey, variables: { i: { id: disabled.id } } });
  const expired = await createKey(org.adminKey, { name: "expired", expiresAt: new Date(Date.now() + 60_000).toISOString() });
  await (await testServer()).db.prisma.apiKey.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
  await editedDirectly([expired.id]);
  const mine = await createKey(member.key, { name: "member's own key" });
  const invited = await gql(INVITE, { key: org.adminKey, variables: { input: { email: `p-${crypto.randomUUID()}@example.com`, role: "MEMBER" } } });
  return {
    org,
    disabledKey: disabled.secret,
    expiredKey: expired.secret,
    member,
    removed,
    outsider: await seedOrganization("Outsider"),
    targetKeyId: target.id,
    memberKeyId: mine.id,
    invitationId: invited.data?.inviteMember.invitation.id,
  };
}

type Actor = "admin" | "member" | "memberOnOthers" | "removed" | "otherOrg";
type Refused = "noKey" | "disabled" | "expired";
type Outcome = "ok" | "null" | "FORBIDDEN" | "NOT_FOUND" | "API_KEY_REVOKED" | "API_KEY_DISABLED" | "API_KEY_EXPIRED" | "UNAUTHENTICATED";

interface Row {
  op: string;
  query: string;
  variables: (w: World, actor: Actor) => Record<string, unknown>;
  expect: Record<Actor, Outcome>;
}

// Acting on a key: the member's own key for "member", the admin's key otherwise.
const keyFor = (w: World, actor: Actor) => (actor === "member" ? w.memberKeyId : w.targetKeyId);
const keyOp = (op: string, extra = ""): Row => ({
  op,
  query: mutation(op),
  variables: (w, a) => ({ i: { id: keyFor(w, a), ...(extra ? { [extra]: op === "renameApiKey" ? "renamed" : true } : {}) } }),
  expect: { admin: "ok", member: "ok", memberOnOthers: "FORBIDDEN", removed: "API_KEY_REVOKED", otherOrg: "NOT_FOUND" },
});
const read = (op: string, query: string, member: Outcome, otherOrg: Outcome = "ok"): Row => ({
  op,
  query,
  variables: () => ({}),
  expect: { admin: "ok", member, memberOnOthers: member, removed: "API_KEY_REVOKED", otherOrg },
});
const adminOnly = (op: string, query: string, variables: Row["variables"]): Row => ({
  op,
  query,
  variables,
  expect: { admin: "ok", member: "FORBIDDEN", memberOnOthers: "FORBIDDEN", removed: "API_KEY_REVOKED", otherOrg: "NOT_FOUND" },
});

/**
 * The platform's operations: no organization's key (or session), whatever its role, may call
 * them. What platform keys may do with them is in test/platform-keys.test.ts and test/tenants.test.ts.
 */
const platformOnly = (op: string, query: string, variables: Row["variables"] = () => ({})): Row => ({
  op,
  query,
  variables,
  expect: { admin: "FORBIDDEN", member: "FORBIDDEN", memberOnOthers: "FORBIDDEN", removed: "API_KEY_REVOKED", otherOrg: "FORBIDDEN" },
});

const rows: Row[] = [
  read("viewer", `{ viewer { role } }`, "ok"),
  read("organization", `{ organization { id } }`, "ok"),
  read("apiKeys", `{ apiKeys { edges { node { id } } } }`, "ok"),
  read("members", `{ members { edges { node { id } } } }`, "ok"),
  read("invitations", `{ invitations { id } }`, "ok"),
  read("permissionCatalog", `{ permissionCatalog { name } }`, "ok"),
  read("auditEvents", `{ auditEvents { edges { node { id } } } }`, "FORBIDDEN"),
  {
    op: "apiKey",
    query: `query($id: ID!) { apiKey(id: $id) { id } }`,
    variables: (w, a) => ({ id: keyFor(w, a) }),
    expect: { admin: "ok", member: "ok", memberOnOthers: "null", removed: "API_KEY_REVOKED", otherOrg: "null" },
  },
  {
    op: "createApiKey",
    query: mutation("createApiKey", "{ secret }"),
    variables: () => ({ i: { name: "new" } }),
    expect: { admin: "ok", member: "ok", memberOnOthers: "ok", removed: "API_KEY_REVOKED", otherOrg: "ok" },
  },
  {
    op: "createApiKey (SERVICE)",
    query: mutation("createApiKey", "{ secret }"),
    variables: () => ({ i: { name: "svc", kind: "SERVICE" } }),
    expect: { admin: "ok", member: "FORBIDDEN", memberOnOthers: "FORBIDDEN", removed: "API_KEY_REVOKED", otherOrg: "ok" },
  },
  {
    op: "createApiKey (beyond role)",
    query: mutation("createApiKey", "{ secret }"),
    variables: () => ({ i: { name: "audit", scopes: ["AUDIT_READ"] } }),
    expect: { admin: "ok", member: "FORBIDDEN", memberOnOthers: "FORBIDDEN", removed: "API_KEY_REVOKED", otherOrg: "ok" },
  },
  keyOp("renameApiKey", "name"),
  {
    // Adding a limit where there was none tightens the key: a member may, on their own key.
    ...keyOp("updateApiKey"),
    variables: (w, a) => ({ i: { id: keyFor(w, a), rateLimit: { limit: 1_000_000, windowSeconds: 60 } } }),
  },
  keyOp("disableApiKey"),
  keyOp("enableApiKey"),
  keyOp("rotateApiKey"),
  keyOp("revokeApiKey"),
  keyOp("deleteApiKey", "confirm"),
  {
    op: "verifyApiKey",
    query: mutation("verifyApiKey", "{ valid }"),
    variables: () => ({ i: { key: "kw_live_nothing" } }),
    expect: { admin: "ok", member: "ok", memberOnOthers: "ok", removed: "API_KEY_REVOKED", otherOrg: "ok" },
  },
  {
    op: "apiKeyUsage",
    query: `query($id: ID!, $from: DateTime!, $to: DateTime!) { apiKeyUsage(id: $id, from: $from, to: $to) { requests } }`,
    variables: (w, a) => ({ id: keyFor(w, a), from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date().toISOString() }),
    // A key the caller cannot see (apiKey(id) is null for it) has no usage to show either.
    expect: { admin: "ok", member: "ok", memberOnOthers: "NOT_FOUND", removed: "API_KEY_REVOKED", otherOrg: "NOT_FOUND" },
  },
  {
    op: "connectAgent",
    query: mutation("connectAgent", "{ secret }"),
    variables: () => ({ i: { client: "CLAUDE_CODE" } }),
    expect: { admin: "ok", member: "ok", memberOnOthers: "ok", removed: "API_KEY_REVOKED", otherOrg: "ok" },
  },
  {
    op: "inviteMember",
    query: mutation("inviteMember", "{ code }"),
    variables: () => ({ i: { email: `n-${crypto.randomUUID()}@example.com`, role: "MEMBER" } }),
    expect: { admin: "ok", member: "FORBIDDEN", memberOnOthers: "FORBIDDEN", removed: "API_KEY_REVOKED", otherOrg: "ok" },
  },
  adminOnly("cancelInvitation", mutation("cancelInvitation", "{ invitation { id } }"), (w) => ({
    i: { id: w.invitationId },
  })),
  adminOnly("updateMemberRole", mutation("updateMemberRole", "{ membership { role } }"), (w) => ({
    i: { userId: w.member.userId, role: "ADMIN" },
  })),
  adminOnly("removeMember", mutation("removeMember", "{ removedUserId }"), (w) => ({
    i: { userId: w.member.userId },
  })),
  {
    // Its own organization's policy (naming organizationId is the platform's: test/platform-security.test.ts).
    op: "updateOrganizationPolicy",
    query: mutation("updateOrganizationPolicy", "{ organization { policy { maxKeyLifetimeDays } } }"),
    variables: () => ({ i: { maxKeyLifetimeDays: 3650 } }),
    expect: { admin: "ok", member: "FORBIDDEN", memberOnOthers: "FORBIDDEN", removed: "API_KEY_REVOKED", otherOrg: "ok" },
  },
  platformOnly("platformKeys", `{ platformKeys { edges { node { id } } } }`),
  platformOnly("platformAuditEvents", `{ platformAuditEvents { edges { node { id } } } }`),
  platformOnly("createPlatformKey", mutation("createPlatformKey", "{ secret }"), () => ({ i: { name: "escalation" } })),
  platformOnly("revokePlatformKey", mutation("revokePlatformKey", "{ platformKey { id } }"), () => ({ i: { id: "nonexistent1" } })),
  platformOnly("organizations", `{ organizations { edges { node { id } } } }`),
  platformOnly("createOrganization", mutation("createOrganization", "{ organization { id } }"), () => ({
    i: { name: "Escalation", externalId: crypto.randomUUID(), admin: { email: `e-${crypto.randomUUID()}@example.com` } },
  })),
  platformOnly("updateOrganization", mutation("updateOrganization", "{ organization { id } }"), (w) => ({ i: { id: w.outsider.organization.id, name: "x" } })),
  platformOnly("deleteOrganization", mutation("deleteOrganization", "{ deletedOrganizationId }"), (w) => ({
    i: { id: w.outsider.organization.id, confirm: true },
  })),
  platformOnly("setPermissionCatalog", mutation("setPermissionCatalog", "{ permissions { name } }"), (w) => ({
    i: { organizationId: w.org.organization.id, permissions: [{ name: "escalation:write", description: "" }] },
  })),
  platformOnly("addMember", mutation("addMember", "{ user { id } }"), (w) => ({
    i: { organizationId: w.org.organization.id, email: `e-${crypto.randomUUID()}@example.com`, role: "ADMIN" },
  })),
  platformOnly("createConsoleSession", mutation("createConsoleSession", "{ token }"), (w) => ({
    i: { organizationId: w.org.organization.id, userId: w.org.user.id, returnUrl: "https://product.example/keys", allowedOrigin: "https://product.example" },
  })),
];

// The admin goes last: its success (a deleted key, a removed member) must not decide the others' outcomes.
const actors: Array<Actor | Refused> = ["noKey", "disabled", "expired", "member", "memberOnOthers", "removed", "otherOrg", "admin"];
const refusedAs: Record<Refused, Outcome> = { noKey: "UNAUTHENTICATED", disabled: "API_KEY_DISABLED", expired: "API_KEY_EXPIRED" };
const keyOf = (w: World, actor: Actor | Refused) =>
  ({
    noKey: undefined,
    disabled: w.disabledKey,
    expired: w.expiredKey,
    admin: w.org.adminKey,
    member: w.member.key,
    memberOnOthers: w.member.key,
    removed: w.removed.key,
    otherOrg: w.outsider.adminKey,
  })[actor];

it("every root field that needs a key is in the matrix", () => {
  const fields = [...Object.keys(schema.getQueryType()!.getFields()), ...Object.keys(schema.getMutationType()!.getFields())];
  const keyless = ["signUp", "acceptInvitation"];
  const covered = new Set(rows.map((r) => r.op.split(" ")[0]));
  expect(fields.filter((f) => !keyless.includes(f) && !covered.has(f))).toEqual([]);
});

describe.each(rows)("$op", (row) => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });

  it.each(actors)("as %s", async (actor) => {
    const acting = actor === "noKey" || actor === "disabled" || actor === "expired" ? "admin" : actor;
    const result = await gql(row.query, { key: keyOf(w, actor), variables: row.variables(w, acting) });
    assertOutcome(row, result, actor in refusedAs ? refusedAs[actor as Refused] : row.expect[actor as Actor]);
  });
});

function assertOutcome(row: Row, result: GraphQLResponse, outcome: Outcome): void {
  const field = row.op.split(" ")[0]!;
  if (outcome === "ok" || outcome === "null") {
    expect(result.status).toBe(200);
    expect(result.errors).toBeUndefined();
    if (outcome === "null") expect(result.data?.[field]).toBeNull();
    else expect(result.data?.[field]).not.toBeNull();
    return;
  }
  expect(result.code).toBe(outcome);
  expect(result.status).toBe({ FORBIDDEN: 403, API_KEY_REVOKED: 403, API_KEY_DISABLED: 403, API_KEY_EXPIRED: 403, UNAUTHENTICATED: 401, NOT_FOUND: 200 }[outcome]);
  if (outcome === "UNAUTHENTICATED") expect(result.headers.get("www-authenticate")).toBeTruthy();
}

/**
 * The same rows through the console: a session acts as its person with their role, so each
 * session actor must get exactly what that person's key gets. A removed member's session (one
 * that outlived the removal) speaks for no one. A fresh world per row, as above.
 */
type SessionActor = "memberSession" | "memberSessionOnOthers" | "removedSession" | "adminSession";
const asKeyActor: Record<SessionActor, Actor> = {
  memberSession: "member",
  memberSessionOnOthers: "memberOnOthers",
  removedSession: "removed",
  adminSession: "admin",
};

describe.each(rows)("$op through a console session", (row) => {
  let w: World;
  let cookies: Record<SessionActor, string>;
  beforeAll(async () => {
    w = await world();
    const organizationId = w.org.organization.id;
    const member = await sessionCookie({ userId: w.member.userId, organizationId });
    cookies = {
      memberSession: member,
      memberSessionOnOthers: member,
      removedSession: await sessionCookie({ userId: w.removed.userId, organizationId }),
      adminSession: await sessionCookie({ userId: w.org.user.id, organizationId }),
    };
  });

  it.each(Object.keys(asKeyActor) as SessionActor[])("as %s", async (actor) => {
    const { yoga } = await testServer();
    const keyActor = asKeyActor[actor];
    const result = await asConsole(yoga, cookies[actor], row.query, row.variables(w, keyActor));
    assertOutcome(row, result, actor === "removedSession" ? "UNAUTHENTICATED" : row.expect[keyActor]);
  });
});

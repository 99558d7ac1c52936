import { beforeAll, describe, expect, it } from "vitest";
import { asConsole, sessionCookie } from "./helpers/console.ts";
import { gql, mutation, type GraphQLResponse } from "./helpers/http.ts";
import { addMember } from "./helpers/members.ts";
import { createTenant, revokedPlatformKey, seedPlatformKey } from "./helpers/platform.ts";
import { AUDIT, DAY, inDays, POLICY, setPolicy, UPDATE_POLICY } from "./helpers/policy.ts";
import { keywardError, sdk } from "./helpers/sdk.ts";
import { createKey, seedOrganization, type SeededOrganization } from "./helpers/seed.ts";
import { editedDirectly, testServer } from "./helpers/server.ts";

const UPDATE = UPDATE_POLICY;
const READ = `{ organization { id policy ${POLICY} } }`;
const KEYS = `query($violatesPolicy: Boolean, $expiringWithin: Int, $status: ApiKeyStatus, $environment: ApiKeyEnvironment, $first: Int, $after: String) {
  apiKeys(violatesPolicy: $violatesPolicy, expiringWithin: $expiringWithin, status: $status, environment: $environment, first: $first, after: $after) {
    edges { node { id violatesPolicy } } pageInfo { hasNextPage endCursor }
  }
}`;
const ROTATE = mutation("rotateApiKey", "{ apiKey { id expiresAt violatesPolicy } secret }");
const none = { maxKeyLifetimeDays: null, requireExpiry: false, disableUnusedAfterDays: null, defaultAllowedIps: [] };

async function keyIds(key: string, variables: Record<string, unknown>): Promise<string[]> {
  const result = await gql(KEYS, { key, variables: { first: 100, ...variables } });
  if (!result.data) throw new Error(result.text);
  return result.data.apiKeys.edges.map((e: { node: { id: string } }) => e.node.id).sort();
}

async function allowlistOfNewKey(key: string, input: Record<string, unknown>): Promise<string[] | null> {
  const made = await gql(mutation("createApiKey", "{ apiKey { allowedIps } }"), { key, variables: { i: input } });
  if (!made.data?.createApiKey) throw new Error(made.text);
  return made.data.createApiKey.apiKey.allowedIps;
}

function expectBadInput(result: GraphQLResponse, field: string, rule?: string) {
  expect({ status: result.status, code: result.code, field: result.errors?.[0]?.extensions?.field }).toEqual({ status: 200, code: "BAD_USER_INPUT", field });
  if (rule) {
    expect(result.errors?.[0]?.extensions?.rule).toBe(rule);
    expect(result.errors?.[0]?.message).toContain(`(${rule})`);
  }
}

describe("updateOrganizationPolicy", () => {
  it("sets, reads, keeps what is left out, clears with null; audited with before and after", async () => {
    const org = await seedOrganization("Policy");
    expect((await gql(READ, { key: org.adminKey })).data?.organization.policy).toEqual(none);

    const set = await setPolicy(org.adminKey, { maxKeyLifetimeDays: 90, requireExpiry: true, disableUnusedAfterDays: 30, defaultAllowedIps: ["10.1.2.3/8", "2001:DB8::1", " 192.168.0.1 "] });
    const full = { maxKeyLifetimeDays: 90, requireExpiry: true, disableUnusedAfterDays: 30, defaultAllowedIps: ["10.0.0.0/8", "2001:db8::1", "192.168.0.1"] };
    expect(set).toEqual(full);
    // Members read the rules their keys must follow.
    const member = await addMember(org.adminKey);
    expect((await gql(READ, { key: member.key })).data?.organization.policy).toEqual(full);

    expect(await setPolicy(org.adminKey, { disableUnusedAfterDays: 60 })).toEqual({ ...full, disableUnusedAfterDays: 60 });
    expect(await setPolicy(org.adminKey, { maxKeyLifetimeDays: null, requireExpiry: null, defaultAllowedIps: null })).toEqual({ ...none, disableUnusedAfterDays: 60 });
    expect(await setPolicy(org.adminKey, { disableUnusedAfterDays: null, defaultAllowedIps: [] })).toEqual(none);
    // Nothing changed, nothing recorded.
    expect(await setPolicy(org.adminKey, {})).toEqual(none);

    const events = (await gql(AUDIT, { key: org.adminKey, variables: { action: "ORGANIZATION_POLICY_UPDATED" } })).data?.auditEvents.edges.map((e: any) => e.node);
    expect(events).toHaveLength(4);
    expect(events.at(-1)).toMatchObject({ actorKeyId: org.apiKey.id, actorUserId: org.user.id, targetId: org.organization.id, metadata: { before: none, after: full } });
    expect(events[0].metadata).toEqual({ before: { ...none, disableUnusedAfterDays: 60 }, after: none });
    expect(await allowlistOfNewKey(org.adminKey, { name: "after clearing" })).toBeNull();
  });

  it("gives new keys that name no allowlist the normalized defaultAllowedIps; a key's own list wins", async () => {
    const org = await seedOrganization("Allowlist");
    await setPolicy(org.adminKey, { defaultAllowedIps: ["10.9.8.7/16", "::ffff:10.0.0.1", "2001:db8:0:0::/64"] });
    const defaults = ["10.9.0.0/16", "10.0.0.1", "2001:db8::/64"];
    expect((await gql(READ, { key: org.adminKey })).data?.organization.policy.defaultAllowedIps).toEqual(defaults);
    expect(await allowlistOfNewKey(org.adminKey, { name: "defaulted" })).toEqual(defaults);
    expect(await allowlistOfNewKey(org.adminKey, { name: "own list", allowedIps: ["192.0.2.0/24"] })).toEqual(["192.0.2.0/24"]);
    // A platform's key in the organization gets them too.
    const platform = await seedPlatformKey(["PLATFORM_WRITE"]);
    const tenant = await createTenant(platform.secret);
    await setPolicy(platform.secret, { organizationId: tenant.id, defaultAllowedIps: ["198.51.100.7"] });
    expect(await allowlistOfNewKey(platform.secret, { organizationId: tenant.id, kind: "SERVICE", name: "svc" })).toEqual(["198.51.100.7"]);
  });

  it("refuses bad input naming the field, and applies nothing of a refused update", async () => {
    const org = await seedOrganization("Bad policy");
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ maxKeyLifetimeDays: 0 }, "maxKeyLifetimeDays"],
      [{ maxKeyLifetimeDays: -5 }, "maxKeyLifetimeDays"],
      [{ maxKeyLifetimeDays: 3651 }, "maxKeyLifetimeDays"],
      [{ disableUnusedAfterDays: 0 }, "disableUnusedAfterDays"],
      [{ disableUnusedAfterDays: 100_000 }, "disableUnusedAfterDays"],
      [{ defaultAllowedIps: ["not an address"] }, "defaultAllowedIps"],
      [{ defaultAllowedIps: ["10.0.0.0/33"] }, "defaultAllowedIps"],
      [{ defaultAllowedIps: ["2001:db8::/129"] }, "defaultAllowedIps"],
      [{ defaultAllowedIps: Array.from({ length: 101 }, (_, i) => `10.0.0.${i}`) }, "defaultAllowedIps"],
      [{ maxKeyLifetimeDays: 30, requireExpiry: true, defaultAllowedIps: ["10.0.0.1", "nope"] }, "defaultAllowedIps"],
      [{ maxKeyLifetimeDays: 30, disableUnusedAfterDays: 3651 }, "disableUnusedAfterDays"],
    ];
    for (const [i, field] of cases) expectBadInput(await gql(UPDATE, { key: org.adminKey, variables: { i } }), field);
    expect((await gql(READ, { key: org.adminKey })).data?.organization.policy).toEqual(none);
    // Not an Int at all: GraphQL's own coercion, the same code.
    expect((await gql(UPDATE, { key: org.adminKey, variables: { i: { maxKeyLifetimeDays: "ten" } } })).code).toBe("BAD_USER_INPUT");
    expect((await gql(AUDIT, { key: org.adminKey, variables: { action: "ORGANIZATION_POLICY_UPDATED" } })).data?.auditEvents.edges).toEqual([]);
  });

  it("is for admins: no key 401, a member, a KEYS_WRITE-only key or a revoked key 403, another organization never reached", async () => {
    const org = await seedOrganization("Guarded");
    const other = await seedOrganization("Other");
    const member = await addMember(org.adminKey);
    const keysOnly = await createKey(org.adminKey, { name: "keys only", scopes: ["KEYS_READ", "KEYS_WRITE"] });
    const revoked = await createKey(org.adminKey, { name: "revoked" });
    await gql(mutation("revokeApiKey"), { key: org.adminKey, variables: { i: { id: revoked.id } } });
    const i = { maxKeyLifetimeDays: 7 };

    const noKey = await gql(UPDATE, { variables: { i } });
    expect([noKey.status, noKey.code]).toEqual([401, "UNAUTHENTICATED"]);
    expect(noKey.headers.get("www-authenticate")).toBeTruthy();
    for (const key of [member.key, keysOnly.secret]) {
      const refused = await gql(UPDATE, { key, variables: { i } });
      expect([refused.status, refused.code]).toEqual([403, "FORBIDDEN"]);
    }
    const fromRevoked = await gql(UPDATE, { key: revoked.secret, variables: { i } });
    expect([fromRevoked.status, fromRevoked.code]).toEqual([403, "API_KEY_REVOKED"]);
    // An organization's key changes its own organization only; naming one (its own included) is the platform's.
    for (const organizationId of [org.organization.id, other.organization.id]) {
      const named = await gql(UPDATE, { key: other.adminKey, variables: { i: { ...i, organizationId } } });
      expect([named.status, named.code]).toEqual([403, "FORBIDDEN"]);
    }
    expect(await setPolicy(other.adminKey, i)).toMatchObject(i);
    expect((await gql(READ, { key: org.adminKey })).data?.organization.policy).toEqual(none);

    // An admin's SERVICE key holding ORG_WRITE is the organization's credential: it may.
    const service = await createKey(org.adminKey, { name: "ops", kind: "SERVICE", scopes: ["ORG_READ", "ORG_WRITE"] });
    expect(await setPolicy(service.secret, { requireExpiry: true })).toMatchObject({ requireExpiry: true });
    // An admin's console session may; a member's may not.
    const { yoga } = await testServer();
    const adminSession = await sessionCookie({ userId: org.user.id, organizationId: org.organization.id });
    expect((await asConsole(yoga, adminSession, UPDATE, { i: { requireExpiry: false } })).data?.updateOrganizationPolicy.organization.policy.requireExpiry).toBe(false);
    const memberSession = await sessionCookie({ userId: member.userId, organizationId: org.organization.id });
    expect((await asConsole(yoga, memberSession, UPDATE, { i })).code).toBe("FORBIDDEN");
  });

  it("a demoted admin's key is refused from the next request on", async () => {
    const org = await seedOrganization("Demoted");
    const second = await addMember(org.adminKey, "ADMIN");
    await setPolicy(second.key, { maxKeyLifetimeDays: 5 });
    await gql(mutation("updateMemberRole", "{ membership { role } }"), { key: org.adminKey, variables: { i: { userId: second.userId, role: "MEMBER" } } });
    expect((await gql(UPDATE, { key: second.key, variables: { i: { maxKeyLifetimeDays: 6 } } })).code).toBe("FORBIDDEN");
  });

  it("platform keys (PLATFORM_WRITE) set any organization's policy by organizationId, audited in it via platform", async () => {
    const platform = await seedPlatformKey();
    const tenant = await createTenant(platform.secret);
    const set = await gql(UPDATE, { key: platform.secret, variables: { i: { organizationId: tenant.id, requireExpiry: true } } });
    expect(set.data?.updateOrganizationPolicy.organization).toMatchObject({ id: tenant.id, policy: { requireExpiry: true } });
    const { db } = await testServer();
    const event = await db.prisma.auditEvent.findFirst({ where: { organizationId: tenant.id, action: "ORGANIZATION_POLICY_UPDATED" } });
    expect(event).toMatchObject({ actorKeyId: platform.id, metadata: { via: "platform", after: { requireExpiry: true } } });

    expectBadInput(await gql(UPDATE, { key: platform.secret, variables: { i: { requireExpiry: true } } }), "organizationId");
    const missing = await gql(UPDATE, { key: platform.secret, variables: { i: { organizationId: "00000000-0000-7000-8000-000000000000", requireExpiry: true } } });
    expect(missing.code).toBe("NOT_FOUND");
    const readOnly = await seedPlatformKey(["PLATFORM_READ", "PLATFORM_VERIFY"]);
    expect((await gql(UPDATE, { key: readOnly.secret, variables: { i: { organizationId: tenant.id } } })).code).toBe("FORBIDDEN");
    const revoked = await gql(UPDATE, { key: await revokedPlatformKey(), variables: { i: { organizationId: tenant.id } } });
    expect([revoked.status, revoked.code]).toEqual([403, "API_KEY_REVOKED"]);
    // The tenant's keys made by the platform follow the policy too.
    const created = await gql(mutation("createApiKey", "{ secret }"), { key: platform.secret, variables: { i: { name: "k", kind: "SERVICE", organizationId: tenant.id } } });
    expectBadInput(created, "expiresAt", "requireExpiry");
  });
});

describe("requireExpiry and maxKeyLifetimeDays on new and rotated keys", () => {
  const CREATE = mutation("createApiKey", "{ apiKey { id expiresAt violatesPolicy } secret }");

  it("refuses creating a key that breaks them, naming the rule", async () => {
    const org = await seedOrganization("Expiry");
    await setPolicy(org.adminKey, { requireExpiry: true });
    expectBadInput(await gql(CREATE, { key: org.adminKey, variables: { i: { name: "forever" } } }), "expiresAt", "requireExpiry");
    const far = await gql(CREATE, { key: org.adminKey, variables: { i: { name: "far", expiresAt: inDays(3000) } } });
    expect(far.data?.createApiKey.apiKey.violatesPolicy).toBe(false);

    await setPolicy(org.adminKey, { maxKeyLifetimeDays: 30 });
    const tooLong = await gql(CREATE, { key: org.adminKey, variables: { i: { name: "long", expiresAt: inDays(31) } } });
    expectBadInput(tooLong, "expiresAt", "maxKeyLifetimeDays");
    expect(tooLong.errors?.[0]?.message).toContain("within 30 days");
    // A maximum means an expiry, even with requireExpiry cleared.
    await setPolicy(org.adminKey, { requireExpiry: false });
    expectBadInput(await gql(CREATE, { key: org.adminKey, variables: { i: { name: "none" } } }), "expiresAt", "maxKeyLifetimeDays");
    const ok = await gql(CREATE, { key: org.adminKey, variables: { i: { name: "ok", expiresAt: inDays(29) } } });
    expect(ok.errors).toBeUndefined();
    // A member's own key too.
    const member = await addMember(org.adminKey);
    expectBadInput(await gql(CREATE, { key: member.key, variables: { i: { name: "m", expiresAt: inDays(45) } } }), "expiresAt", "maxKeyLifetimeDays");
    expect((await gql(CREATE, { key: member.key, variables: { i: { name: "m", expiresAt: inDays(10) } } })).errors).toBeUndefined();
  });

  it("refuses rotating a key whose expiry breaks them unless the rotation sets one that fits; the key is reported until then", async () => {
    const org = await seedOrganization("Rotate");
    const forever = await createKey(org.adminKey, { name: "forever" });
    const late = await createKey(org.adminKey, { name: "late", expiresAt: inDays(200) });
    await setPolicy(org.adminKey, { maxKeyLifetimeDays: 90 });

    expectBadInput(await gql(ROTATE, { key: org.adminKey, variables: { i: { id: forever.id } } }), "expiresAt", "maxKeyLifetimeDays");
    expectBadInput(await gql(ROTATE, { key: org.adminKey, variables: { i: { id: late.id } } }), "expiresAt", "maxKeyLifetimeDays");
    expectBadInput(await gql(ROTATE, { key: org.adminKey, variables: { i: { id: late.id, expiresAt: inDays(91) } } }), "expiresAt", "maxKeyLifetimeDays");
    expectBadInput(await gql(ROTATE, { key: org.adminKey, variables: { i: { id: late.id, expiresAt: inDays(-1) } } }), "expiresAt");
    // Refused rotations change nothing: the old secret still works.
    expect((await gql(`{ viewer { apiKey { id } } }`, { key: late.secret })).data?.viewer.apiKey.id).toBe(late.id);
    expect(await keyIds(org.adminKey, { violatesPolicy: true })).toEqual([org.apiKey.id, forever.id, late.id].sort());

    const expiresAt = inDays(60);
    const rotated = await gql(ROTATE, { key: org.adminKey, variables: { i: { id: late.id, expiresAt } } });
    expect(rotated.data?.rotateApiKey.apiKey).toEqual({ id: late.id, expiresAt, violatesPolicy: false });
    const event = (await gql(AUDIT, { key: org.adminKey, variables: { action: "API_KEY_ROTATED" } })).data?.auditEvents.edges[0].node;
    expect(event.metadata.expiresAt).toEqual({ from: late.apiKey.expiresAt, to: expiresAt });
    // A key that fits rotates without a new expiry, and keeps its own.
    const fits = await createKey(org.adminKey, { name: "fits", expiresAt: inDays(20) });
    expect((await gql(ROTATE, { key: org.adminKey, variables: { i: { id: fits.id } } })).data?.rotateApiKey.apiKey.expiresAt).toBe(fits.apiKey.expiresAt);
    expect(await keyIds(org.adminKey, { violatesPolicy: true })).toEqual([org.apiKey.id, forever.id].sort());
  });

  it("gives the keys Keyward issues unasked (an agent's, an invitation's first) the longest expiry the policy allows", async () => {
    const org = await seedOrganization("Unasked");
    await setPolicy(org.adminKey, { maxKeyLifetimeDays: 30 });
    const agent = await gql(mutation("connectAgent", "{ apiKey { expiresAt violatesPolicy } }"), { key: org.adminKey, variables: { i: { client: "CLAUDE_CODE" } } });
    const agentExpiry = Date.parse(agent.data?.connectAgent.apiKey.expiresAt);
    expect(Math.abs(agentExpiry - (Date.now() + 30 * DAY))).toBeLessThan(60_000);
    expect(agent.data?.connectAgent.apiKey.violatesPolicy).toBe(false);

    await setPolicy(org.adminKey, { maxKeyLifetimeDays: null, requireExpiry: true });
    const member = await addMember(org.adminKey);
    const { db } = await testServer();
    const first = await db.prisma.apiKey.findUniqueOrThrow({ where: { id: member.keyId } });
    expect(Math.abs(first.expiresAt!.getTime() - (Date.now() + 90 * DAY))).toBeLessThan(60_000);
  });
});

describe("apiKeys(violatesPolicy, expiringWithin)", () => {
  let org: SeededOrganization;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    org = await seedOrganization("Filters");
    const make = async (name: string, input: Record<string, unknown> = {}) => (ids[name] = (await createKey(org.adminKey, { name, ...input })).id);
    await make("forever");
    await make("in5", { expiresAt: inDays(5) });
    await make("in100", { expiresAt: inDays(100), environment: "TEST" });
    await make("in400", { expiresAt: inDays(400) });
    await make("revokedIn5", { expiresAt: inDays(5) });
    await gql(mutation("revokeApiKey"), { key: org.adminKey, variables: { i: { id: ids.revokedIn5 } } });
    await make("expired", { expiresAt: inDays(1) });
    const { db } = await testServer();
    await db.prisma.apiKey.update({ where: { id: ids.expired }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await editedDirectly([ids.expired!]);
    ids.admin = org.apiKey.id;
  });
  const of = (...names: string[]) => names.map((n) => ids[n]!).sort();

  it("violatesPolicy: nothing without a rule; with one, the usable keys that could not be issued today", async () => {
    expect(await keyIds(org.adminKey, { violatesPolicy: true })).toEqual([]);
    expect(await keyIds(org.adminKey, { violatesPolicy: false })).toEqual(of("admin", "forever", "in5", "in100", "in400", "expired"));

    await setPolicy(org.adminKey, { maxKeyLifetimeDays: 90 });
    expect(await keyIds(org.adminKey, { violatesPolicy: true })).toEqual(of("admin", "forever", "in100", "in400"));
    expect(await keyIds(org.adminKey, { violatesPolicy: false })).toEqual(of("in5", "expired"));
    // A revoked key breaks nothing: it works for no one.
    expect(await keyIds(org.adminKey, { violatesPolicy: true, status: "REVOKED" })).toEqual([]);
    // The field says the same as the filter, key by key.
    const all = (await gql(KEYS, { key: org.adminKey, variables: { first: 100 } })).data?.apiKeys.edges.map((e: any) => e.node);
    const flagged = all.filter((k: { violatesPolicy: boolean }) => k.violatesPolicy).map((k: { id: string }) => k.id).sort();
    expect(flagged).toEqual(of("admin", "forever", "in100", "in400"));
    // Composes with the other arguments and with pagination.
    expect(await keyIds(org.adminKey, { violatesPolicy: true, environment: "TEST" })).toEqual(of("in100"));
    const page = await gql(KEYS, { key: org.adminKey, variables: { violatesPolicy: true, first: 3 } });
    expect(page.data?.apiKeys.pageInfo.hasNextPage).toBe(true);
    const rest = await gql(KEYS, { key: org.adminKey, variables: { violatesPolicy: true, first: 3, after: page.data?.apiKeys.pageInfo.endCursor } });
    expect([...page.data?.apiKeys.edges, ...rest.data?.apiKeys.edges].map((e: any) => e.node.id).sort()).toEqual(of("admin", "forever", "in100", "in400"));

    await setPolicy(org.adminKey, { maxKeyLifetimeDays: null, requireExpiry: true });
    expect(await keyIds(org.adminKey, { violatesPolicy: true })).toEqual(of("admin", "forever"));
    await setPolicy(org.adminKey, { requireExpiry: false });
  });

  it("expiringWithin: keys not revoked, not yet expired, expiring within that many days", async () => {
    expect(await keyIds(org.adminKey, { expiringWithin: 7 })).toEqual(of("in5"));
    expect(await keyIds(org.adminKey, { expiringWithin: 120 })).toEqual(of("in5", "in100"));
    expect(await keyIds(org.adminKey, { expiringWithin: 3650 })).toEqual(of("in5", "in100", "in400"));
    expect(await keyIds(org.adminKey, { expiringWithin: 7, status: "REVOKED" })).toEqual([]);
    expect(await keyIds(org.adminKey, { expiringWithin: 120, environment: "LIVE" })).toEqual(of("in5"));
    const page = await gql(KEYS, { key: org.adminKey, variables: { expiringWithin: 3650, first: 2 } });
    expect(page.data?.apiKeys.edges).toHaveLength(2);
    expect(page.data?.apiKeys.pageInfo.hasNextPage).toBe(true);
    for (const expiringWithin of [0, -1, 3651]) expectBadInput(await gql(KEYS, { key: org.adminKey, variables: { expiringWithin } }), "expiringWithin");
  });

  it("a member sees only their own keys through either filter", async () => {
    const member = await addMember(org.adminKey);
    const own = await createKey(member.key, { name: "mine", expiresAt: inDays(3) });
    expect(await keyIds(member.key, { expiringWithin: 7 })).toEqual([own.id]);
    expect(await keyIds(member.key, { violatesPolicy: true })).toEqual([]);
    await setPolicy(org.adminKey, { requireExpiry: true });
    expect(await keyIds(member.key, { violatesPolicy: true })).toEqual([member.keyId]);
    await setPolicy(org.adminKey, { requireExpiry: false });
  });
});

describe("through the SDK", () => {
  it("sets and reads the policy, lists keys expiring soon or breaking it, and reports the rule of a refusal", async () => {
    const org = await seedOrganization("SDK policy");
    const kw = await sdk(org.adminKey);
    const { organization } = await kw.updateOrganizationPolicy({ maxKeyLifetimeDays: 90, disableUnusedAfterDays: 60, defaultAllowedIps: ["203.0.113.0/24"] });
    expect(organization.policy).toEqual({ maxKeyLifetimeDays: 90, requireExpiry: false, disableUnusedAfterDays: 60, defaultAllowedIps: ["203.0.113.0/24"] });
    expect((await kw.organization()).policy.maxKeyLifetimeDays).toBe(90);

    const refused = await keywardError(kw.createApiKey({ name: "ci" }), "BAD_USER_INPUT", 200);
    expect(refused.errors[0]?.extensions).toMatchObject({ field: "expiresAt", rule: "maxKeyLifetimeDays" });
    const { apiKey } = await kw.createApiKey({ name: "ci", expiresAt: new Date(Date.now() + 7 * DAY) });
    const soon = [];
    for await (const key of kw.paginate.apiKeys({ expiringWithin: 14 })) soon.push(key.id);
    expect(soon).toEqual([apiKey.id]);
    const breaking = (await kw.apiKeys({ violatesPolicy: true })).edges.map((e) => ({ id: e.node.id, violatesPolicy: e.node.violatesPolicy }));
    expect(breaking).toEqual([{ id: org.apiKey.id, violatesPolicy: true }]);
    const rotated = await kw.rotateApiKey({ id: org.apiKey.id, expiresAt: new Date(Date.now() + 30 * DAY) });
    expect(rotated.apiKey.violatesPolicy).toBe(false);
  });
});

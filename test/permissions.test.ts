import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asConsole, sessionCookie } from "./helpers/console.ts";
import { gql, mutation, type GraphQLResponse } from "./helpers/http.ts";
import { addMember } from "./helpers/members.ts";
import { createTenant, revokedPlatformKey, seedPlatformKey } from "./helpers/platform.ts";
import { keywardError, sdk } from "./helpers/sdk.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";
import { queryLog, testServer } from "./helpers/server.ts";

const SET = mutation("setPermissionCatalog", "{ organization { id } permissions { name description global } }");
const CATALOG = `query($organizationId: ID) { permissionCatalog(organizationId: $organizationId) { name description global } }`;
const ORG_CATALOG = `query($id: ID) { organization(id: $id) { id permissionCatalog { name description global } } }`;
const CREATE_KEY = mutation("createApiKey", "{ apiKey { id scopes permissions } secret }");
const VERIFY = mutation("verifyApiKey", "{ valid code scopes permissions apiKey { id permissions } organization { id } }");
const AUDIT = `{ auditEvents(first: 50, action: PERMISSION_CATALOG_SET) { edges { node { action actorKeyId targetId metadata } } } }`;

// The worker's server starts (and migrates) in a hook, whose timeout allows for a busy machine.
beforeAll(() => testServer());

const entry = (name: string, description = `Lets a key ${name}.`) => ({ name, description });
/** Names no other test uses: the global catalogue is shared by every test of the worker's database. */
const unique = (name: string) => `${name}.${crypto.randomUUID().slice(0, 8)}`;

function ok(result: GraphQLResponse, label = "") {
  expect({ status: result.status, errors: result.errors }, label).toEqual({ status: 200, errors: undefined });
}
function badInput(result: GraphQLResponse, field: string, label: string) {
  expect([result.status, result.code, result.errors?.[0]?.extensions?.field], label).toEqual([200, "BAD_USER_INPUT", field]);
}

/** A tenant with a catalogue of its own and an admin key holding KEYS_WRITE and KEYS_VERIFY. */
async function catalogued(platform: string, names: string[]) {
  const tenant = await createTenant(platform);
  ok(await gql(SET, { key: platform, variables: { i: { organizationId: tenant.id, permissions: names.map((n) => entry(n)) } } }));
  const admin = await gql(CREATE_KEY, {
    key: platform,
    variables: { i: { name: "admin", organizationId: tenant.id, ownerId: tenant.adminId, scopes: ["ORG_READ", "KEYS_READ", "KEYS_WRITE", "KEYS_VERIFY", "AUDIT_READ"] } },
  });
  ok(admin);
  return { tenant, adminKey: admin.data?.createApiKey.secret as string };
}

describe("the permission catalogue", () => {
  afterAll(async () => {
    // Leave the worker's global catalogue as other tests found it.
    const platform = await seedPlatformKey();
    ok(await gql(SET, { key: platform.secret, variables: { i: { permissions: [] } } }));
  });

  it("is the global catalogue with the organization's own (the organization's description wins); audited where it applies", async () => {
    const platform = await seedPlatformKey();
    const shared = unique("reports:read");
    const globalOnly = unique("billing:read");
    const global = await gql(SET, { key: platform.secret, variables: { i: { permissions: [entry(shared, "global words"), entry(globalOnly)] } } });
    ok(global);
    expect(global.data?.setPermissionCatalog.organization).toBeNull();
    expect(global.data?.setPermissionCatalog.permissions).toEqual(
      expect.arrayContaining([{ name: shared, description: "global words", global: true }, { name: globalOnly, description: `Lets a key ${globalOnly}.`, global: true }]),
    );

    const { tenant, adminKey } = await catalogued(platform.secret, ["invoices:read", "invoices:write"]);
    ok(await gql(SET, { key: platform.secret, variables: { i: { organizationId: tenant.id, permissions: [entry("invoices:read"), entry("invoices:write"), entry(shared, "our words")] } } }));
    const expected = [
      { name: globalOnly, description: `Lets a key ${globalOnly}.`, global: true },
      { name: "invoices:read", description: "Lets a key invoices:read.", global: false },
      { name: "invoices:write", description: "Lets a key invoices:write.", global: false },
      { name: shared, description: "our words", global: false },
    ];
    const sorted = (list: Array<{ name: string }>) => [...list].sort((a, b) => (a.name < b.name ? -1 : 1));

    // The organization's own key, its console, and the platform read the same union.
    const own = await gql(CATALOG, { key: adminKey });
    ok(own);
    expect(sorted(own.data?.permissionCatalog)).toEqual(sorted(expected));
    expect(own.data?.permissionCatalog.map((e: { name: string }) => e.name)).toEqual(sorted(own.data?.permissionCatalog).map((e) => e.name));
    const onOrganization = await gql(ORG_CATALOG, { key: adminKey });
    expect(sorted(onOrganization.data?.organization.permissionCatalog)).toEqual(sorted(expected));
    const { yoga } = await testServer();
    const console = await asConsole(yoga, await sessionCookie({ userId: tenant.adminId, organizationId: tenant.id }), CATALOG);
    expect(sorted(console.data?.permissionCatalog)).toEqual(sorted(expected));
    const byPlatform = await gql(CATALOG, { key: platform.secret, variables: { organizationId: tenant.id } });
    expect(sorted(byPlatform.data?.permissionCatalog)).toEqual(sorted(expected));
    expect(sorted((await gql(ORG_CATALOG, { key: platform.secret, variables: { id: tenant.id } })).data?.organization.permissionCatalog)).toEqual(sorted(expected));
    // A platform key naming no organization reads the global catalogue alone.
    const globalRead = (await gql(CATALOG, { key: platform.secret })).data?.permissionCatalog;
    expect(globalRead.every((e: { global: boolean }) => e.global)).toBe(true);
    expect(globalRead.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining([shared, globalOnly]));

    // Another organization sees the global catalogue only.
    const other = await catalogued(platform.secret, []);
    const names = (await gql(CATALOG, { key: other.adminKey })).data?.permissionCatalog.map((e: { name: string }) => e.name);
    expect(names).toEqual(expect.arrayContaining([shared, globalOnly]));
    expect(names).not.toContain("invoices:read");

    // Audited: the organization's catalogue in its log (the platform key as actor), the global one at platform level.
    const log = (await gql(AUDIT, { key: adminKey })).data?.auditEvents.edges.map((e: any) => e.node);
    expect(log[0]).toMatchObject({
      action: "PERMISSION_CATALOG_SET",
      actorKeyId: platform.id,
      targetId: tenant.id,
      metadata: { scope: "organization", count: 3, added: [shared], removed: [], via: "platform" },
    });
    const platformLog = await gql(`{ platformAuditEvents(first: 20, action: PERMISSION_CATALOG_SET) { edges { node { actorKeyId metadata } } } }`, { key: platform.secret });
    expect(platformLog.data?.platformAuditEvents.edges.map((e: any) => e.node)).toContainEqual({
      actorKeyId: platform.id,
      metadata: expect.objectContaining({ scope: "global", count: 2, added: expect.arrayContaining([shared, globalOnly]) }),
    });
  });

  it("refuses bad input with BAD_USER_INPUT naming the field", async () => {
    const platform = await seedPlatformKey();
    const tenant = await createTenant(platform.secret);
    const many = (n: number) => Array.from({ length: n }, (_, i) => entry(`p${i}`));
    const cases: Array<[string, unknown[]]> = [
      ["201 entries", many(201)],
      ["a description of 201 characters", [entry("a", "d".repeat(201))]],
      ["a line break in a description", [entry("a", "one\ntwo")]],
      ["a key in a description", [entry("a", `use ${(await seedOrganization()).adminKey}`)]],
      ["an upper-case name", [entry("Invoices:read")]],
      ["a name of 65 characters", [entry("a".repeat(65))]],
      ["an empty name", [entry("")]],
      ["a space in a name", [entry("invoices read")]],
      ["a name twice", [entry("a"), entry("b"), entry("a", "again")]],
    ];
    for (const [label, permissions] of cases) {
      const refused = await gql(SET, { key: platform.secret, variables: { i: { organizationId: tenant.id, permissions } } });
      badInput(refused, "permissions", label);
      expect(refused.text, label).not.toMatch(/kw_live_\w+_\w{20}/);
      badInput(await gql(SET, { key: platform.secret, variables: { i: { permissions } } }), "permissions", `${label} (global)`);
    }
    // The limits themselves are fine: 200 entries, 200 characters, 64-character names.
    ok(await gql(SET, { key: platform.secret, variables: { i: { organizationId: tenant.id, permissions: [...many(199), entry("z".repeat(64), "d".repeat(200))] } } }));
    expect((await gql(CATALOG, { key: platform.secret, variables: { organizationId: tenant.id } })).data?.permissionCatalog.filter((e: any) => !e.global)).toHaveLength(200);
    const missing = "00000000-0000-7000-8000-000000000000";
    expect((await gql(SET, { key: platform.secret, variables: { i: { organizationId: missing, permissions: [] } } })).code).toBe("NOT_FOUND");
    expect((await gql(CATALOG, { key: platform.secret, variables: { organizationId: missing } })).code).toBe("NOT_FOUND");
  });

  it("is set by platform keys holding PLATFORM_WRITE only, and no organization reads another's", async () => {
    const platform = await seedPlatformKey();
    const { tenant, adminKey } = await catalogued(platform.secret, ["secret:name"]);
    const org = await seedOrganization();
    const variables = { i: { organizationId: tenant.id, permissions: [entry("x")] } };
    const refusals: Array<[string, string | undefined, number, string]> = [
      ["no key", undefined, 401, "UNAUTHENTICATED"],
      ["the organization's own admin key", adminKey, 403, "FORBIDDEN"],
      ["another organization's admin key", org.adminKey, 403, "FORBIDDEN"],
      ["a platform key without PLATFORM_WRITE", (await seedPlatformKey(["PLATFORM_READ", "PLATFORM_VERIFY"])).secret, 403, "FORBIDDEN"],
      ["a revoked platform key", await revokedPlatformKey(), 403, "API_KEY_REVOKED"],
    ];
    for (const [label, key, status, code] of refusals) {
      const result = await gql(SET, { key, variables });
      expect([result.status, result.code], label).toEqual([status, code]);
      expect((await gql(SET, { key, variables: { i: { permissions: [entry("x")] } } })).code, `${label} (global)`).toBe(code);
    }
    // Reading: another organization's key learns nothing of this one's catalogue.
    expect((await gql(CATALOG, { key: org.adminKey, variables: { organizationId: tenant.id } })).code).toBe("NOT_FOUND");
    expect((await gql(ORG_CATALOG, { key: org.adminKey, variables: { id: tenant.id } })).code).toBe("NOT_FOUND");
    expect((await gql(CATALOG, {})).code).toBe("UNAUTHENTICATED");
    expect((await gql(CATALOG, { key: (await seedPlatformKey(["PLATFORM_VERIFY"])).secret })).code).toBe("FORBIDDEN");
    // The catalogue is unchanged by all of that.
    const names = (await gql(CATALOG, { key: adminKey })).data?.permissionCatalog.map((e: { name: string }) => e.name);
    expect(names).toContain("secret:name");
    expect(names).not.toContain("x");
  });
});

describe("keys' permissions", () => {
  it("are set at createApiKey from the catalogue only, by platform keys, organization keys and console sessions; rotation keeps them", async () => {
    const platform = await seedPlatformKey();
    const { tenant, adminKey } = await catalogued(platform.secret, ["invoices:read", "invoices:write", "reports:read"]);

    const byPlatform = await gql(CREATE_KEY, {
      key: platform.secret,
      variables: { i: { name: "svc", kind: "SERVICE", organizationId: tenant.id, permissions: ["invoices:read", "reports:read", "invoices:read"] } },
    });
    ok(byPlatform);
    expect(byPlatform.data?.createApiKey.apiKey).toMatchObject({ scopes: [], permissions: ["invoices:read", "reports:read"] });

    const byKey = await gql(CREATE_KEY, { key: adminKey, variables: { i: { name: "mine", permissions: ["invoices:write"] } } });
    ok(byKey);
    expect(byKey.data?.createApiKey.apiKey.permissions).toEqual(["invoices:write"]);

    const { yoga } = await testServer();
    const cookie = await sessionCookie({ userId: tenant.adminId, organizationId: tenant.id });
    const bySession = await asConsole(yoga, cookie, CREATE_KEY, { i: { name: "from the console", scopes: ["ORG_READ"], permissions: ["reports:read"] } });
    ok(bySession);
    expect(bySession.data?.createApiKey.apiKey).toMatchObject({ scopes: ["ORG_READ"], permissions: ["reports:read"] });

    // Uncatalogued, malformed or too many names: BAD_USER_INPUT naming `permissions`; nothing is created.
    const before = (await gql(`{ apiKeys(first: 100) { edges { node { id } } } }`, { key: adminKey })).data?.apiKeys.edges.length;
    const bad: Array<[string, string[]]> = [
      ["uncatalogued", ["invoices:delete"]],
      ["another organization's name", ["nope:never"]],
      ["malformed", ["Invoices:Read"]],
      ["51 names", Array.from({ length: 51 }, (_, i) => `p${i}`)],
      ["a pasted key", ["invoices:read", adminKey]],
    ];
    for (const [label, permissions] of bad) {
      const refused = await gql(CREATE_KEY, { key: adminKey, variables: { i: { name: "k", permissions } } });
      badInput(refused, "permissions", label);
      expect(refused.text).not.toContain(adminKey);
      badInput(await gql(CREATE_KEY, { key: platform.secret, variables: { i: { name: "k", kind: "SERVICE", organizationId: tenant.id, permissions } } }), "permissions", `${label} (platform)`);
    }
    badInput(await asConsole(yoga, cookie, CREATE_KEY, { i: { name: "k", permissions: ["invoices:delete"] } }), "permissions", "console");
    expect((await gql(`{ apiKeys(first: 100) { edges { node { id } } } }`, { key: adminKey })).data?.apiKeys.edges.length).toBe(before);

    // Listed and read with them, and kept by rotation.
    const id = byKey.data?.createApiKey.apiKey.id;
    expect((await gql(`query($id: ID!) { apiKey(id: $id) { permissions } }`, { key: adminKey, variables: { id } })).data?.apiKey.permissions).toEqual(["invoices:write"]);
    const rotated = await gql(mutation("rotateApiKey", "{ apiKey { permissions } secret }"), { key: adminKey, variables: { i: { id } } });
    ok(rotated);
    expect(rotated.data?.rotateApiKey.apiKey.permissions).toEqual(["invoices:write"]);
    const verified = await gql(VERIFY, { key: platform.secret, variables: { i: { key: rotated.data?.rotateApiKey.secret, requiredPermissions: ["invoices:write"] } } });
    expect(verified.data?.verifyApiKey).toMatchObject({ valid: true, code: null, permissions: ["invoices:write"] });

    // Audited with the key's permissions.
    const created = await gql(`{ auditEvents(first: 50, action: API_KEY_CREATED) { edges { node { targetId metadata } } } }`, { key: adminKey });
    expect(created.data?.auditEvents.edges.map((e: any) => e.node)).toContainEqual({ targetId: id, metadata: expect.objectContaining({ permissions: ["invoices:write"] }) });
  });

  it("a name leaving the catalogue stays on the keys that carry it (verification still reports it); new keys cannot get it", async () => {
    const platform = await seedPlatformKey();
    const { tenant, adminKey } = await catalogued(platform.secret, ["old:perm", "kept:perm"]);
    const key = await createKey(adminKey, { permissions: ["old:perm", "kept:perm"] });
    ok(await gql(SET, { key: platform.secret, variables: { i: { organizationId: tenant.id, permissions: [entry("kept:perm")] } } }));
    const verified = await gql(VERIFY, { key: platform.secret, variables: { i: { key: key.secret, requiredPermissions: ["old:perm"] } } });
    expect(verified.data?.verifyApiKey).toMatchObject({ valid: true, permissions: ["old:perm", "kept:perm"] });
    expect((await gql(`query($id: ID!) { apiKey(id: $id) { permissions } }`, { key: adminKey, variables: { id: key.id } })).data?.apiKey.permissions).toEqual([
      "old:perm",
      "kept:perm",
    ]);
    badInput(await gql(CREATE_KEY, { key: adminKey, variables: { i: { name: "k", permissions: ["old:perm"] } } }), "permissions", "removed name");
  });
});

describe("verifyApiKey with requiredPermissions", () => {
  it("is valid when every required permission is there, FORBIDDEN (with who the key is) when one is missing, for platform and organization keys", async () => {
    const platform = await seedPlatformKey();
    const { tenant, adminKey } = await catalogued(platform.secret, ["invoices:read", "invoices:write"]);
    const key = await createKey(adminKey, { permissions: ["invoices:read"] });

    for (const [label, verifier] of [["platform", platform.secret], ["organization", adminKey]] as const) {
      const verify = (requiredPermissions?: string[]) => gql(VERIFY, { key: verifier, variables: { i: { key: key.secret, requiredPermissions } } });
      for (const required of [undefined, [], ["invoices:read"]]) {
        const result = await verify(required);
        ok(result, label);
        expect(result.data?.verifyApiKey, `${label} ${JSON.stringify(required)}`).toMatchObject({
          valid: true,
          code: null,
          permissions: ["invoices:read"],
          apiKey: { id: key.id, permissions: ["invoices:read"] },
        });
      }
      for (const required of [["invoices:write"], ["invoices:read", "invoices:write"], ["never:catalogued"]]) {
        const result = await verify(required);
        ok(result, label);
        expect(result.data?.verifyApiKey, `${label} ${JSON.stringify(required)}`).toMatchObject({
          valid: false,
          code: "FORBIDDEN",
          permissions: ["invoices:read"],
          apiKey: { id: key.id },
        });
      }
      expect((await verify(["invoices:write"])).data?.verifyApiKey.organization).toEqual(label === "platform" ? { id: tenant.id } : null);
      // Bad input: BAD_USER_INPUT naming requiredPermissions.
      badInput(await verify(["Bad Name"]), "requiredPermissions", `${label}: malformed`);
      badInput(await verify(Array.from({ length: 51 }, (_, i) => `p${i}`)), "requiredPermissions", `${label}: 51 names`);
    }

    // A refused key stays refused for its own reason, with no permissions told.
    ok(await gql(mutation("disableApiKey"), { key: adminKey, variables: { i: { id: key.id } } }));
    const disabled = await gql(VERIFY, { key: platform.secret, variables: { i: { key: key.secret, requiredPermissions: ["invoices:write"] } } });
    expect(disabled.data?.verifyApiKey).toMatchObject({ valid: false, code: "API_KEY_DISABLED", permissions: [] });
  });

  it("checks permissions before the key's own limits: a FORBIDDEN answer spends no credit and no rate limit", async () => {
    const platform = await seedPlatformKey();
    const { adminKey } = await catalogued(platform.secret, ["reports:read", "reports:write"]);
    const key = await createKey(adminKey, { permissions: ["reports:read"], credits: { remaining: 2 }, rateLimit: { limit: 3, windowSeconds: 3600 } });
    const LIMITED = mutation("verifyApiKey", "{ valid code permissions credits { remaining } rateLimit { remaining } }");
    const verify = (requiredPermissions: string[]) => gql(LIMITED, { key: platform.secret, variables: { i: { key: key.secret, requiredPermissions } } });
    for (let i = 0; i < 5; i++) expect((await verify(["reports:write"])).data?.verifyApiKey).toMatchObject({ valid: false, code: "FORBIDDEN", credits: null });
    expect((await verify(["reports:read"])).data?.verifyApiKey).toEqual({ valid: true, code: null, permissions: ["reports:read"], credits: { remaining: 1 }, rateLimit: { remaining: 2 } });
    expect((await verify(["reports:read"])).data?.verifyApiKey).toMatchObject({ valid: true, credits: { remaining: 0 }, rateLimit: { remaining: 1 } });
    // With the permission there, the key's own limits still decide.
    expect((await verify(["reports:read"])).data?.verifyApiKey).toMatchObject({ valid: false, code: "USAGE_EXCEEDED", credits: { remaining: 0 } });
  });

  it("is answered from memory when warm, and stays right after a catalogue change and a rotation", async () => {
    const platform = await seedPlatformKey(["PLATFORM_WRITE", "PLATFORM_VERIFY"]);
    const { tenant, adminKey } = await catalogued(platform.secret, ["a:read", "b:read"]);
    const key = await createKey(adminKey, { permissions: ["a:read"] });
    const WARM = mutation("verifyApiKey", "{ valid code permissions organization { id } }");
    const verify = (secret: string, requiredPermissions: string[]) => gql(WARM, { key: platform.secret, variables: { i: { key: secret, requiredPermissions } } });

    expect((await verify(key.secret, ["a:read"])).data?.verifyApiKey.valid).toBe(true);
    queryLog.length = 0;
    for (let i = 0; i < 50; i++) {
      expect((await verify(key.secret, ["a:read"])).data?.verifyApiKey).toEqual({ valid: true, code: null, permissions: ["a:read"], organization: { id: tenant.id } });
      expect((await verify(key.secret, ["b:read"])).data?.verifyApiKey).toMatchObject({ valid: false, code: "FORBIDDEN" });
    }
    expect(queryLog).toEqual([]);

    // A catalogue change (b:read gone, c:read new) changes nothing a key carries: still right.
    ok(await gql(SET, { key: platform.secret, variables: { i: { organizationId: tenant.id, permissions: [entry("a:read"), entry("c:read")] } } }));
    expect((await verify(key.secret, ["a:read"])).data?.verifyApiKey).toMatchObject({ valid: true, permissions: ["a:read"] });
    expect((await verify(key.secret, ["c:read"])).data?.verifyApiKey).toMatchObject({ valid: false, code: "FORBIDDEN" });

    // Rotated: the new secret carries the same permissions; the old one is refused.
    const rotated = await gql(mutation("rotateApiKey", "{ secret }"), { key: adminKey, variables: { i: { id: key.id } } });
    const secret = rotated.data?.rotateApiKey.secret;
    expect((await verify(secret, ["a:read"])).data?.verifyApiKey).toMatchObject({ valid: true, permissions: ["a:read"] });
    expect((await verify(key.secret, ["a:read"])).data?.verifyApiKey).toMatchObject({ valid: false, code: "UNAUTHENTICATED", permissions: [] });
    queryLog.length = 0;
    expect((await verify(secret, ["a:read"])).data?.verifyApiKey.valid).toBe(true);
    expect(queryLog).toEqual([]);
  });
});

describe("organizations made by a platform", () => {
  it("give new keys no Keyward scope unless asked for: such a key calls viewer, and is FORBIDDEN on apiKeys", async () => {
    const platform = await seedPlatformKey();
    const { tenant, adminKey } = await catalogued(platform.secret, ["orders:read"]);
    const member = await gql(mutation("addMember", "{ user { id } }"), {
      key: platform.secret,
      variables: { i: { organizationId: tenant.id, email: `m-${crypto.randomUUID()}@example.com`, role: "MEMBER" } },
    });
    const { yoga } = await testServer();
    const cookie = await sessionCookie({ userId: member.data?.addMember.user.id, organizationId: tenant.id });

    const fromKey = await createKey(adminKey, { permissions: ["orders:read"] });
    expect(fromKey.apiKey.scopes).toEqual([]);
    const fromSession = await asConsole(yoga, cookie, CREATE_KEY, { i: { name: "product key" } });
    ok(fromSession);
    expect(fromSession.data?.createApiKey.apiKey.scopes).toEqual([]);
    const optedIn = await createKey(adminKey, { scopes: ["KEYS_READ"] });
    expect(optedIn.apiKey.scopes).toEqual(["KEYS_READ"]);

    for (const secret of [fromKey.secret, fromSession.data?.createApiKey.secret]) {
      const viewer = await gql(`{ viewer { scopes organization { id } } }`, { key: secret });
      ok(viewer);
      expect(viewer.data?.viewer).toEqual({ scopes: [], organization: { id: tenant.id } });
      const keys = await gql(`{ apiKeys { edges { node { id } } } }`, { key: secret });
      expect([keys.status, keys.code]).toEqual([403, "FORBIDDEN"]);
    }
    expect((await gql(`{ apiKeys { edges { node { id } } } }`, { key: optedIn.secret })).status).toBe(200);

    // Organizations made otherwise keep today's default: everything the caller may do.
    const org = await seedOrganization();
    expect((await gql(`{ organization { createdByPlatform } }`, { key: org.adminKey })).data?.organization).toEqual({ createdByPlatform: false });
    expect((await gql(`query($id: ID) { organization(id: $id) { createdByPlatform } }`, { key: platform.secret, variables: { id: tenant.id } })).data?.organization).toEqual({
      createdByPlatform: true,
    });
    expect((await createKey(org.adminKey)).apiKey.scopes.length).toBe(8);
    const joined = await addMember(org.adminKey);
    expect((await createKey(joined.key)).apiKey.scopes).toEqual(expect.arrayContaining(["ORG_READ", "KEYS_WRITE"]));
  });
});

describe("the SDK", () => {
  it("sets and reads catalogues, creates keys with permissions, and verifyRequest passes requiredPermissions", async () => {
    const platform = await seedPlatformKey();
    const kw = await sdk(platform.secret);
    const { organization, admin } = await kw.createOrganization({ name: "Customer", externalId: `acct_${crypto.randomUUID()}`, admin: { email: `c-${crypto.randomUUID()}@example.com` } });
    const set = await kw.setPermissionCatalog({ organizationId: organization.id, permissions: [{ name: "orders:read", description: "Read orders." }, { name: "orders:write" }] });
    expect(set.organization?.id).toBe(organization.id);
    expect(set.permissions).toEqual([
      { name: "orders:read", description: "Read orders.", global: false },
      { name: "orders:write", description: "", global: false },
    ]);
    expect((await kw.permissionCatalog({ organizationId: organization.id })).filter((p) => !p.global).map((p) => p.name)).toEqual(["orders:read", "orders:write"]);
    const bad = await keywardError(kw.setPermissionCatalog({ organizationId: organization.id, permissions: [{ name: "Orders" }] }), "BAD_USER_INPUT");
    expect(bad.errors[0]?.extensions?.field).toBe("permissions");

    const { apiKey, secret } = await kw.createApiKey({ name: "orders", organizationId: organization.id, ownerId: admin.id, permissions: ["orders:read"] });
    expect(apiKey).toMatchObject({ scopes: [], permissions: ["orders:read"] });
    const request = new Request("http://product.test/api/orders", { headers: { authorization: `Bearer ${secret}` } });
    expect(await kw.verifyRequest(request, { requiredPermissions: ["orders:read"] })).toMatchObject({ valid: true, code: null, permissions: ["orders:read"] });
    expect(await kw.verifyRequest(request, { requiredPermissions: ["orders:write"] })).toMatchObject({
      valid: false,
      code: "FORBIDDEN",
      permissions: ["orders:read"],
      organization: { id: organization.id },
      key: { id: apiKey.id },
    });
    expect(await kw.verifyRequest(request)).toMatchObject({ valid: true, permissions: ["orders:read"] });
    expect(await kw.verifyRequest({ headers: {} }, { requiredPermissions: ["orders:read"] })).toMatchObject({ valid: false, code: "UNAUTHENTICATED", permissions: [] });

    // The organization's own key reads its catalogue through the SDK, and may not set one.
    const own = await sdk(secret);
    await keywardError(own.permissionCatalog(), "FORBIDDEN", 403);
    const reader = await kw.createApiKey({ name: "reader", organizationId: organization.id, ownerId: admin.id, scopes: ["ORG_READ"] });
    const orgKw = await sdk(reader.secret);
    expect((await orgKw.permissionCatalog()).map((p) => p.name)).toEqual(expect.arrayContaining(["orders:read", "orders:write"]));
    await keywardError(orgKw.setPermissionCatalog({ permissions: [] }), "FORBIDDEN", 403);
  });
});

describe("concurrent catalogue changes", () => {
  it("8 parallel setPermissionCatalog calls on one catalogue all succeed, and leave exactly one of them, five rounds", async () => {
    const platform = await seedPlatformKey();
    const tenant = await createTenant(platform.secret);
    for (let round = 0; round < 5; round++) {
      const catalogs = Array.from({ length: 8 }, (_, i) => Array.from({ length: 3 + i }, (_, j) => entry(`r${round}.c${i}.p${j}`)));
      const results = await Promise.all(
        catalogs.map((permissions) => gql(SET, { key: platform.secret, variables: { i: { organizationId: tenant.id, permissions } } })),
      );
      for (const result of results) ok(result, `round ${round}`);
      const names = (await gql(CATALOG, { key: platform.secret, variables: { organizationId: tenant.id } })).data?.permissionCatalog
        .filter((e: { global: boolean }) => !e.global)
        .map((e: { name: string }) => e.name);
      expect(catalogs.map((c) => c.map((e) => e.name).sort()), `round ${round}`).toContainEqual([...names].sort());
    }
  });
});

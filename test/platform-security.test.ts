import { beforeAll, describe, expect, it } from "vitest";
import type { PlatformScope } from "../server/auth/platformScopes.ts";
import { gql, mutation, type GraphQLResponse } from "./helpers/http.ts";
import { createTenant, CREATE_ORGANIZATION, revokedPlatformKey, seedPlatformKey } from "./helpers/platform.ts";
import { seedOrganization, type SeededOrganization } from "./helpers/seed.ts";

/** Every platform operation × { no key, an organization's admin key, a platform key lacking the scope, a revoked platform key, the right one }. */
interface World {
  tenant: Awaited<ReturnType<typeof createTenant>>;
  org: SeededOrganization;
  platformKeyId: string;
}
interface Op {
  op: string;
  scope: PlatformScope;
  query: string;
  variables: (w: World) => Record<string, unknown>;
}

const uniqueEmail = () => `s-${crypto.randomUUID()}@example.com`;
const ops: Op[] = [
  { op: "organizations", scope: "PLATFORM_READ", query: `{ organizations { edges { node { id } } } }`, variables: () => ({}) },
  { op: "organization", scope: "PLATFORM_READ", query: `query($id: ID) { organization(id: $id) { id } }`, variables: (w) => ({ id: w.tenant.id }) },
  { op: "platformAuditEvents", scope: "PLATFORM_READ", query: `{ platformAuditEvents { edges { node { id } } } }`, variables: () => ({}) },
  { op: "platformKeys", scope: "PLATFORM_WRITE", query: `{ platformKeys { edges { node { id } } } }`, variables: () => ({}) },
  { op: "createPlatformKey", scope: "PLATFORM_WRITE", query: mutation("createPlatformKey", "{ secret }"), variables: () => ({ i: { name: "p", scopes: ["PLATFORM_WRITE"] } }) },
  { op: "revokePlatformKey", scope: "PLATFORM_WRITE", query: mutation("revokePlatformKey", "{ platformKey { id } }"), variables: (w) => ({ i: { id: w.platformKeyId } }) },
  {
    op: "createOrganization",
    scope: "PLATFORM_WRITE",
    query: CREATE_ORGANIZATION,
    variables: () => ({ i: { name: "New", externalId: crypto.randomUUID(), admin: { email: uniqueEmail() } } }),
  },
  { op: "updateOrganization", scope: "PLATFORM_WRITE", query: mutation("updateOrganization", "{ organization { id } }"), variables: (w) => ({ i: { id: w.tenant.id, name: "Renamed" } }) },
  {
    op: "updateOrganizationPolicy",
    scope: "PLATFORM_WRITE",
    query: mutation("updateOrganizationPolicy", "{ organization { id } }"),
    variables: (w) => ({ i: { organizationId: w.tenant.id, maxKeyLifetimeDays: 365 } }),
  },
  { op: "addMember", scope: "PLATFORM_WRITE", query: mutation("addMember", "{ user { id } }"), variables: (w) => ({ i: { organizationId: w.tenant.id, email: uniqueEmail() } }) },
  {
    op: "createApiKey",
    scope: "PLATFORM_WRITE",
    query: mutation("createApiKey", "{ secret }"),
    variables: (w) => ({ i: { name: "k", kind: "SERVICE", organizationId: w.tenant.id } }),
  },
  {
    op: "createConsoleSession",
    scope: "PLATFORM_WRITE",
    query: mutation("createConsoleSession", "{ url token expiresAt }"),
    variables: (w) => ({ i: { organizationId: w.tenant.id, userId: w.tenant.adminId, returnUrl: "https://product.example/account", allowedOrigin: "https://product.example" } }),
  },
  { op: "deleteOrganization", scope: "PLATFORM_WRITE", query: mutation("deleteOrganization", "{ deletedOrganizationId }"), variables: (w) => ({ i: { id: w.tenant.id, confirm: true } }) },
  {
    op: "permissionCatalog",
    scope: "PLATFORM_READ",
    query: `query($id: ID) { permissionCatalog(organizationId: $id) { name } }`,
    variables: (w) => ({ id: w.tenant.id }),
  },
  {
    op: "setPermissionCatalog",
    scope: "PLATFORM_WRITE",
    query: mutation("setPermissionCatalog", "{ permissions { name } }"),
    variables: (w) => ({ i: { organizationId: w.tenant.id, permissions: [{ name: "invoices:read", description: "Read invoices." }] } }),
  },
  { op: "verifyApiKey", scope: "PLATFORM_VERIFY", query: mutation("verifyApiKey", "{ valid }"), variables: (w) => ({ i: { key: w.org.adminKey } }) },
];

function expectRefused(result: GraphQLResponse, status: number, code: string, label: string) {
  expect({ status: result.status, code: result.code }, label).toEqual({ status, code });
}

describe.each(ops)("$op", ({ op, scope, query, variables }) => {
  let w: World;
  let keys: { right: string; lacking: string; revoked: string };
  beforeAll(async () => {
    const owner = await seedPlatformKey();
    w = { tenant: await createTenant(owner.secret), org: await seedOrganization(), platformKeyId: (await seedPlatformKey()).id };
    const others = (["PLATFORM_READ", "PLATFORM_WRITE", "PLATFORM_VERIFY"] as const).filter((s) => s !== scope);
    keys = { right: (await seedPlatformKey([scope])).secret, lacking: (await seedPlatformKey(others)).secret, revoked: await revokedPlatformKey() };
  });

  it("refuses no key (401), a revoked platform key (403 API_KEY_REVOKED) and a platform key lacking the scope (403 FORBIDDEN)", async () => {
    const noKey = await gql(query, { variables: variables(w) });
    expectRefused(noKey, 401, "UNAUTHENTICATED", "no key");
    expect(noKey.headers.get("www-authenticate")).toBeTruthy();
    expectRefused(await gql(query, { key: keys.revoked, variables: variables(w) }), 403, "API_KEY_REVOKED", "revoked");
    expectRefused(await gql(query, { key: keys.lacking, variables: variables(w) }), 403, "FORBIDDEN", "lacking");
  });

  it("refuses an organization's key on another organization (the tenant matrix)", async () => {
    const result = await gql(query, { key: w.org.adminKey, variables: variables(w) });
    if (op === "organization" || op === "permissionCatalog") expect(result.code).toBe("NOT_FOUND");
    else if (op === "verifyApiKey") {
      const foreign = await gql(query, { key: w.org.adminKey, variables: { i: { key: (await seedOrganization()).adminKey } } });
      expect(foreign.data?.verifyApiKey).toEqual({ valid: false });
    } else expectRefused(result, 403, "FORBIDDEN", "organization key");
  });

  it("answers the platform key holding the scope", async () => {
    const result = await gql(query, { key: keys.right, variables: variables(w) });
    expect({ status: result.status, errors: result.errors }).toEqual({ status: 200, errors: undefined });
    expect(result.data?.[op]).not.toBeNull();
  });
});

describe("a platform key on an organization that does not exist", () => {
  it("is NOT_FOUND for every operation naming one", async () => {
    const platform = await seedPlatformKey();
    const missing = "00000000-0000-7000-8000-000000000000";
    const cases: Array<[string, Record<string, unknown>]> = [
      [`query($id: ID) { organization(id: $id) { id } }`, { id: missing }],
      [mutation("updateOrganization"), { i: { id: missing, name: "x" } }],
      [mutation("deleteOrganization"), { i: { id: missing, confirm: true } }],
      [mutation("addMember"), { i: { organizationId: missing, email: uniqueEmail() } }],
      [mutation("updateOrganizationPolicy"), { i: { organizationId: missing, requireExpiry: true } }],
      [mutation("createApiKey"), { i: { name: "k", kind: "SERVICE", organizationId: missing } }],
      [mutation("createConsoleSession"), { i: { organizationId: missing, userId: missing, returnUrl: "https://p.example/", allowedOrigin: "https://p.example" } }],
      [mutation("setPermissionCatalog"), { i: { organizationId: missing, permissions: [] } }],
      [`query($id: ID) { permissionCatalog(organizationId: $id) { name } }`, { id: missing }],
    ];
    for (const [query, variables] of cases) expect((await gql(query, { key: platform.secret, variables })).code, query).toBe("NOT_FOUND");
  });

  it("an organization's key never sets organizationId, ownerId or metadata (FORBIDDEN)", async () => {
    const org = await seedOrganization();
    const other = await seedOrganization();
    for (const extra of [{ organizationId: other.organization.id }, { organizationId: org.organization.id }, { ownerId: org.user.id }, { metadata: { a: 1 } }]) {
      const result = await gql(mutation("createApiKey", "{ secret }"), { key: org.adminKey, variables: { i: { name: "k", ...extra } } });
      expectRefused(result, 403, "FORBIDDEN", JSON.stringify(extra));
    }
  });
});

import { describe, expect, it } from "vitest";
import { gql, mutation } from "./helpers/http.ts";
import { CREATE_ORGANIZATION, createTenant, seedPlatformKey } from "./helpers/platform.ts";

const ORGANIZATION = `query($id: ID, $externalId: String) { organization(id: $id, externalId: $externalId) { id name externalId metadata } }`;
const ORGANIZATIONS = `query($externalId: String) { organizations(first: 10, externalId: $externalId) { edges { node { id externalId } } } }`;
const CREATE_KEY = mutation("createApiKey", "{ apiKey { id kind scopes metadata owner { id } } secret }");
const VERIFY = mutation("verifyApiKey", "{ valid organization { id externalId name metadata } owner { id email externalId } metadata }");

describe("tenants (platform keys)", () => {
  it("creates an organization with its admin, finds it by id and externalId, idempotent on externalId", async () => {
    const platform = await seedPlatformKey();
    const externalId = `acct_${crypto.randomUUID()}`;
    const email = `owner-${crypto.randomUUID()}@example.com`;
    const input = { name: "Customer", externalId, metadata: { plan: "pro" }, admin: { email, externalId: `user_${crypto.randomUUID()}` } };
    const created = await gql(CREATE_ORGANIZATION, { key: platform.secret, variables: { i: input } });
    expect(created.errors).toBeUndefined();
    const { organization, admin } = created.data?.createOrganization;
    expect(organization).toMatchObject({ name: "Customer", externalId, metadata: { plan: "pro" } });
    expect(admin).toMatchObject({ email, externalId: input.admin.externalId });

    for (const variables of [{ id: organization.id }, { externalId }]) {
      expect((await gql(ORGANIZATION, { key: platform.secret, variables })).data?.organization).toEqual({ ...organization });
    }
    expect((await gql(ORGANIZATIONS, { key: platform.secret, variables: { externalId } })).data?.organizations.edges).toEqual([
      { node: { id: organization.id, externalId } },
    ]);
    const again = await gql(CREATE_ORGANIZATION, { key: platform.secret, variables: { i: { ...input, admin: { email: `x-${crypto.randomUUID()}@example.com` } } } });
    expect([again.status, again.code, again.errors?.[0]?.extensions?.organizationId]).toEqual([200, "CONFLICT", organization.id]);
    expect((await gql(ORGANIZATION, { key: platform.secret, variables: {} })).code).toBe("BAD_USER_INPUT");
    expect((await gql(ORGANIZATION, { key: platform.secret, variables: { externalId: "nobody" } })).code).toBe("NOT_FOUND");
  });

  it("refuses bad input with BAD_USER_INPUT", async () => {
    const platform = await seedPlatformKey();
    const admin = { email: `a-${crypto.randomUUID()}@example.com` };
    const bad: Array<Record<string, unknown>> = [
      { name: "", admin },
      { name: "x", externalId: "", admin },
      { name: "x", externalId: "y".repeat(129), admin },
      { name: "x", externalId: "a\nb", admin },
      { name: "x", metadata: { blob: "z".repeat(4100) }, admin },
      { name: "x", metadata: ["not", "an", "object"], admin },
      { name: "x", admin: { email: "not an email" } },
      { name: "x", admin: { email: admin.email, externalId: "\u0007" } },
    ];
    for (const i of bad) expect((await gql(CREATE_ORGANIZATION, { key: platform.secret, variables: { i } })).code, JSON.stringify(i).slice(0, 80)).toBe("BAD_USER_INPUT");
    const tenant = await createTenant(platform.secret);
    const update = mutation("updateOrganization", "{ organization { id } }");
    expect((await gql(update, { key: platform.secret, variables: { i: { id: tenant.id, metadata: { k: "v".repeat(5000) } } } })).code).toBe("BAD_USER_INPUT");
    expect((await gql(update, { key: platform.secret, variables: { i: { id: tenant.id, name: " " } } })).code).toBe("BAD_USER_INPUT");
    const addMember = mutation("addMember", "{ user { id } }");
    expect((await gql(addMember, { key: platform.secret, variables: { i: { organizationId: tenant.id, email: "nope" } } })).code).toBe("BAD_USER_INPUT");
    const key = await gql(CREATE_KEY, { key: platform.secret, variables: { i: { name: "k", kind: "SERVICE", organizationId: tenant.id, metadata: { x: "y".repeat(5000) } } } });
    expect(key.code).toBe("BAD_USER_INPUT");
    expect((await gql(CREATE_KEY, { key: platform.secret, variables: { i: { name: "k", kind: "SERVICE" } } })).code).toBe("BAD_USER_INPUT");
    expect((await gql(CREATE_KEY, { key: platform.secret, variables: { i: { name: "k", organizationId: tenant.id } } })).code).toBe("BAD_USER_INPUT");
  });

  it("updates, adds members, issues keys with metadata, and verifyApiKey tells all of it; audited in the organization via platform", async () => {
    const platform = await seedPlatformKey();
    const tenant = await createTenant(platform.secret, { metadata: { plan: "free" } });
    const member = await gql(mutation("addMember", "{ user { id email externalId } membership { role } }"), {
      key: platform.secret,
      variables: { i: { organizationId: tenant.id, email: `m-${crypto.randomUUID()}@example.com`, externalId: `u_${crypto.randomUUID()}`, role: "MEMBER" } },
    });
    expect(member.errors).toBeUndefined();
    const { user } = member.data?.addMember;
    const again = await gql(mutation("addMember", "{ user { id } }"), { key: platform.secret, variables: { i: { organizationId: tenant.id, email: user.email } } });
    expect(again.code).toBe("CONFLICT");

    const personal = await gql(CREATE_KEY, {
      key: platform.secret,
      variables: { i: { name: "customer key", organizationId: tenant.id, ownerId: user.id, scopes: ["ORG_READ"], metadata: { tier: 2 } } },
    });
    expect(personal.errors).toBeUndefined();
    expect(personal.data?.createApiKey.apiKey).toMatchObject({ kind: "PERSONAL", scopes: ["ORG_READ"], metadata: { tier: 2 }, owner: { id: user.id } });
    const service = await gql(CREATE_KEY, { key: platform.secret, variables: { i: { name: "svc", kind: "SERVICE", organizationId: tenant.id } } });
    expect(service.data?.createApiKey.apiKey).toMatchObject({ kind: "SERVICE", scopes: [], owner: null });
    const notMember = await gql(CREATE_KEY, { key: platform.secret, variables: { i: { name: "k", organizationId: tenant.id, ownerId: tenant.adminId + "0" } } });
    expect(notMember.code).toBe("NOT_FOUND");

    const secret = personal.data?.createApiKey.secret;
    const before = await gql(VERIFY, { key: platform.secret, variables: { i: { key: secret } } });
    expect(before.data?.verifyApiKey).toEqual({
      valid: true,
      organization: { id: tenant.id, externalId: tenant.externalId, name: "Tenant", metadata: { plan: "free" } },
      owner: { id: user.id, email: user.email, externalId: user.externalId },
      metadata: { tier: 2 },
    });
    // The change reaches the verifier's memory at once.
    const updated = await gql(mutation("updateOrganization", "{ organization { name metadata } }"), {
      key: platform.secret,
      variables: { i: { id: tenant.id, name: "Renamed", metadata: { plan: "pro" } } },
    });
    expect(updated.data?.updateOrganization.organization).toEqual({ name: "Renamed", metadata: { plan: "pro" } });
    const after = await gql(VERIFY, { key: platform.secret, variables: { i: { key: secret } } });
    expect(after.data?.verifyApiKey.organization).toMatchObject({ name: "Renamed", metadata: { plan: "pro" } });

    // The key works in its organization, and its organization sees the platform's actions in its log.
    const own = await gql(`{ organization { id metadata } }`, { key: secret });
    expect(own.data?.organization).toEqual({ id: tenant.id, metadata: { plan: "pro" } });
    expect((await gql(`{ organization(id: "${tenant.id}") { id } }`, { key: secret })).data?.organization).toEqual({ id: tenant.id });
    const adminKey = await gql(CREATE_KEY, { key: platform.secret, variables: { i: { name: "auditor", kind: "SERVICE", organizationId: tenant.id, scopes: ["AUDIT_READ"] } } });
    const log = await gql(`{ auditEvents(first: 50) { edges { node { action actorKeyId metadata } } } }`, { key: adminKey.data?.createApiKey.secret });
    const events = log.data?.auditEvents.edges.map((e: any) => e.node);
    for (const action of ["ORGANIZATION_CREATED", "MEMBER_ADDED", "API_KEY_CREATED", "ORGANIZATION_UPDATED"]) {
      expect(events.find((e: any) => e.action === action), action).toMatchObject({ actorKeyId: platform.id, metadata: { via: "platform" } });
    }
  });

  it("deletes an organization only with confirm: its keys refused at once, its data gone, the deletion in the platform's log", async () => {
    const platform = await seedPlatformKey();
    const tenant = await createTenant(platform.secret);
    const key = await gql(CREATE_KEY, { key: platform.secret, variables: { i: { name: "svc", kind: "SERVICE", organizationId: tenant.id, scopes: ["ORG_READ"] } } });
    const secret = key.data?.createApiKey.secret;
    expect((await gql(`{ organization { id } }`, { key: secret })).errors).toBeUndefined();
    const DELETE = mutation("deleteOrganization", "{ deletedOrganizationId }");
    const unconfirmed = await gql(DELETE, { key: platform.secret, variables: { i: { id: tenant.id } } });
    expect(unconfirmed.code).toBe("CONFIRMATION_REQUIRED");
    const deleted = await gql(DELETE, { key: platform.secret, variables: { i: { id: tenant.id, confirm: true } } });
    expect(deleted.data?.deleteOrganization).toEqual({ deletedOrganizationId: tenant.id });
    const refused = await gql(`{ organization { id } }`, { key: secret });
    expect([refused.status, refused.code]).toEqual([401, "UNAUTHENTICATED"]);
    expect((await gql(ORGANIZATION, { key: platform.secret, variables: { id: tenant.id } })).code).toBe("NOT_FOUND");
    expect((await gql(DELETE, { key: platform.secret, variables: { i: { id: tenant.id, confirm: true } } })).code).toBe("NOT_FOUND");
    const log = await gql(`{ platformAuditEvents(first: 100, action: ORGANIZATION_DELETED) { edges { node { targetId actorKeyId metadata } } } }`, { key: platform.secret });
    expect(log.data?.platformAuditEvents.edges.map((e: any) => e.node)).toContainEqual({
      targetId: tenant.id,
      actorKeyId: platform.id,
      metadata: expect.objectContaining({ externalId: tenant.externalId, keys: 1, members: 1 }),
    });
  });
});

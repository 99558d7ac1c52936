import { describe, expect, it } from "vitest";
import { keyOfRequest } from "../sdk/src/index.ts";
import { createTenant, seedPlatformKey } from "./helpers/platform.ts";
import { keywardError, sdk } from "./helpers/sdk.ts";
import { seedOrganization } from "./helpers/seed.ts";

describe("the SDK for platforms", () => {
  it("manages tenants and platform keys, and verifyRequest checks a customer's request", async () => {
    const platform = await seedPlatformKey();
    const kw = await sdk(platform.secret);
    const externalId = `acct_${crypto.randomUUID()}`;
    const { organization, admin } = await kw.createOrganization({ name: "Customer", externalId, metadata: { plan: "pro" }, admin: { email: `c-${crypto.randomUUID()}@example.com` } });
    const conflict = await keywardError(kw.createOrganization({ name: "Again", externalId, admin: { email: admin.email } }), "CONFLICT");
    expect(conflict.errors[0]?.extensions?.organizationId).toBe(organization.id);
    expect((await kw.organization({ externalId })).id).toBe(organization.id);
    expect((await kw.organizations({ externalId })).edges.map((e) => e.node.id)).toEqual([organization.id]);
    const { user } = await kw.addMember({ organizationId: organization.id, email: `m-${crypto.randomUUID()}@example.com`, externalId: `u_${crypto.randomUUID()}` });
    const { secret } = await kw.createApiKey({ name: "customer", organizationId: organization.id, ownerId: user.id, metadata: { seat: 1 } });
    expect((await kw.updateOrganization({ id: organization.id, name: "Renamed" })).organization.name).toBe("Renamed");

    const headers: Array<Record<string, string>> = [{ "x-api-key": secret }, { authorization: `Bearer ${secret}` }, { authorization: `Api-Key ${secret}` }];
    for (const h of headers) {
      for (const request of [new Request("http://product.test/api", { headers: h }), { headers: h }]) {
        const verified = await kw.verifyRequest(request);
        expect(verified).toMatchObject({ valid: true, organization: { id: organization.id, externalId, name: "Renamed" }, owner: { id: user.id, externalId: user.externalId }, metadata: { seat: 1 } });
      }
    }
    for (const h of [{}, { authorization: "Basic abc" }, { "x-api-key": secret, authorization: "Bearer kw_live_other" }]) {
      expect(await kw.verifyRequest({ headers: h })).toMatchObject({ valid: false, code: "UNAUTHENTICATED" });
    }
    expect(keyOfRequest({ headers: { "x-api-key": ` ${secret} `, authorization: `bearer ${secret}` } })).toBe(secret);

    const created = await kw.createPlatformKey({ name: "verifier", scopes: ["PLATFORM_VERIFY"] });
    expect((await kw.platformKeys({ first: 100 })).edges.map((e) => e.node.id)).toContain(created.platformKey.id);
    expect((await kw.revokePlatformKey({ id: created.platformKey.id })).platformKey.status).toBe("REVOKED");
    expect((await kw.deleteOrganization({ id: organization.id, confirm: true })).deletedOrganizationId).toBe(organization.id);
    const events = await kw.platformAuditEvents({ action: "ORGANIZATION_DELETED", first: 100 });
    expect(events.edges.map((e) => e.node.targetId)).toContain(organization.id);
  });

  it("an organization's key gets FORBIDDEN from the platform's methods", async () => {
    const org = await seedOrganization();
    const kw = await sdk(org.adminKey);
    await keywardError(kw.organizations(), "FORBIDDEN", 403);
    await keywardError(kw.createOrganization({ name: "x", admin: { email: "x@example.com" } }), "FORBIDDEN", 403);
    const tenant = await createTenant((await seedPlatformKey()).secret);
    await keywardError(kw.organization({ id: tenant.id }), "NOT_FOUND");
  });
});

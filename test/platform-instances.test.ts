import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, mutation } from "./helpers/http.ts";
import { firstInstance, secondInstance, settled, type Instance, type OwnInstance } from "./helpers/instances.ts";
import { createTenant, seedPlatformKey } from "./helpers/platform.ts";

const CREATE_KEY = mutation("createApiKey", "{ secret }");
const VERIFY = mutation("verifyApiKey", "{ valid organization { name } }");

/** Platform changes reach every instance's key cache (PostgreSQL: a second Keyward on the same database). */
describe.runIf(process.env.DATABASE_URL)("platform changes on every instance", () => {
  let first: Instance;
  let second: OwnInstance;
  beforeAll(async () => {
    first = await firstInstance();
    second = await secondInstance(process.env.DATABASE_URL!);
  });
  afterAll(() => second?.close());

  it("deleting an organization refuses its keys at once on another instance that had them warm", async () => {
    const platform = await seedPlatformKey();
    const tenant = await createTenant(platform.secret);
    const created = await gql(CREATE_KEY, { key: platform.secret, variables: { i: { name: "svc", kind: "SERVICE", organizationId: tenant.id, scopes: ["ORG_READ"] } } });
    const secret = created.data?.createApiKey.secret;
    expect((await second.request(`{ organization { id } }`, { key: secret })).data?.organization).toEqual({ id: tenant.id });
    const deleted = await gql(mutation("deleteOrganization", "{ deletedOrganizationId }"), { key: platform.secret, variables: { i: { id: tenant.id, confirm: true } } });
    expect(deleted.errors).toBeUndefined();
    await settled([first, second]);
    const refused = await second.request(`{ organization { id } }`, { key: secret });
    expect([refused.status, refused.code]).toEqual([401, "UNAUTHENTICATED"]);
    const verified = await second.request(VERIFY, { key: platform.secret, variables: { i: { key: secret } } });
    expect(verified.data?.verifyApiKey).toEqual({ valid: false, organization: null });
  });

  it("a revoked platform key, and a renamed organization, are seen at once by another instance", async () => {
    const admin = await seedPlatformKey();
    const verifier = await seedPlatformKey(["PLATFORM_VERIFY"]);
    const tenant = await createTenant(admin.secret);
    const created = await gql(CREATE_KEY, { key: admin.secret, variables: { i: { name: "svc", kind: "SERVICE", organizationId: tenant.id } } });
    const secret = created.data?.createApiKey.secret;
    expect((await second.request(VERIFY, { key: verifier.secret, variables: { i: { key: secret } } })).data?.verifyApiKey).toEqual({
      valid: true,
      organization: { name: "Tenant" },
    });
    await gql(mutation("updateOrganization"), { key: admin.secret, variables: { i: { id: tenant.id, name: "Renamed" } } });
    await gql(mutation("revokePlatformKey"), { key: admin.secret, variables: { i: { id: verifier.id } } });
    await settled([first, second]);
    const refused = await second.request(VERIFY, { key: verifier.secret, variables: { i: { key: secret } } });
    expect([refused.status, refused.code]).toEqual([403, "API_KEY_REVOKED"]);
    const other = await seedPlatformKey(["PLATFORM_VERIFY"]);
    expect((await second.request(VERIFY, { key: other.secret, variables: { i: { key: secret } } })).data?.verifyApiKey.organization).toEqual({ name: "Renamed" });
  });
});

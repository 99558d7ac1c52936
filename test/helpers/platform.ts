import type { PlatformScope } from "../../server/auth/platformScopes.ts";
import type { PlatformActor } from "../../server/domain/audit.ts";
import { keylessChange } from "../../server/domain/change.ts";
import { issuePlatformKey } from "../../server/domain/platformKeys.ts";
import { gql, mutation } from "./http.ts";
import { testServer } from "./server.ts";

const machine: PlatformActor = { ip: null, userAgent: null, organizationId: null, keyId: null, userId: null, via: "cli" };

/** A platform key made as `keyward platform-keys create` makes it (every platform scope unless named). */
export async function seedPlatformKey(scopes?: PlatformScope[], name = "platform test key"): Promise<{ id: string; secret: string }> {
  const { services } = await testServer();
  const { platformKey, secret } = await keylessChange(services, (step) => issuePlatformKey(step, machine, { name, scopes }, null));
  return { id: platformKey.id, secret };
}

/** A revoked platform key (through the API), for the security checklist. */
export async function revokedPlatformKey(): Promise<string> {
  const admin = await seedPlatformKey();
  const doomed = await seedPlatformKey();
  const revoked = await gql(mutation("revokePlatformKey", "{ platformKey { status } }"), { key: admin.secret, variables: { i: { id: doomed.id } } });
  if (revoked.data?.revokePlatformKey?.platformKey.status !== "REVOKED") throw new Error(`revokePlatformKey failed: ${revoked.text}`);
  return doomed.secret;
}

export const CREATE_ORGANIZATION = /* GraphQL */ `
  mutation($i: CreateOrganizationInput!) {
    createOrganization(input: $i) { organization { id name externalId metadata } admin { id email externalId } }
  }
`;

/** A tenant made through the API by `platformKey`; returns the organization's and its admin's ids. */
export async function createTenant(platformKey: string, input: Record<string, unknown> = {}): Promise<{ id: string; adminId: string; externalId: string }> {
  const externalId = `tenant-${crypto.randomUUID()}`;
  const created = await gql(CREATE_ORGANIZATION, {
    key: platformKey,
    variables: { i: { name: "Tenant", externalId, admin: { email: `t-${crypto.randomUUID()}@example.com` }, ...input } },
  });
  if (!created.data?.createOrganization) throw new Error(`createOrganization failed: ${created.text}`);
  const { organization, admin } = created.data.createOrganization;
  return { id: organization.id, adminId: admin.id, externalId: organization.externalId };
}

import { describe, expect, it } from "vitest";
import { formatKey } from "../server/auth/key.ts";
import { gql, mutation } from "./helpers/http.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";

const VERIFY = /* GraphQL */ `
  mutation Verify($input: VerifyApiKeyInput!) { verifyApiKey(input: $input) { valid code scopes apiKey { id status } } }
`;

async function verify(verifier: string, key: string) {
  const result = await gql(VERIFY, { key: verifier, variables: { input: { key } } });
  expect(result.status).toBe(200);
  expect(result.errors).toBeUndefined();
  return result.data?.verifyApiKey;
}

describe("verifyApiKey", () => {
  it("answers valid with the key's current scopes", async () => {
    const org = await seedOrganization();
    const verifier = await createKey(org.adminKey, { kind: "SERVICE", scopes: ["KEYS_VERIFY"] });
    const customer = await createKey(org.adminKey, { scopes: ["ORG_READ", "KEYS_READ"] });
    expect(await verify(verifier.secret, customer.secret)).toEqual({
      valid: true,
      code: null,
      scopes: ["ORG_READ", "KEYS_READ"],
      apiKey: { id: customer.id, status: "ENABLED" },
    });
  });

  it("never throws for a bad key: it answers with the code the HTTP layer would use", async () => {
    const org = await seedOrganization();
    const verifier = await createKey(org.adminKey, { kind: "SERVICE", scopes: ["KEYS_VERIFY", "KEYS_WRITE"] });
    const target = await createKey(org.adminKey);
    await gql(mutation("disableApiKey", "{ apiKey { id } }"), {
      key: org.adminKey,
      variables: { i: { id: target.id } },
    });
    expect(await verify(verifier.secret, target.secret)).toMatchObject({ valid: false, code: "API_KEY_DISABLED", apiKey: { id: target.id } });
    await gql(mutation("revokeApiKey", "{ apiKey { id } }"), {
      key: org.adminKey,
      variables: { i: { id: target.id } },
    });
    expect(await verify(verifier.secret, target.secret)).toMatchObject({ valid: false, code: "API_KEY_REVOKED", scopes: [] });

    for (const bad of ["", "nonsense", "x".repeat(10_000), target.secret.slice(0, -1) + (target.secret.endsWith("0") ? "1" : "0"), formatKey("live", "A".repeat(12), "b".repeat(32))]) {
      expect(await verify(verifier.secret, bad)).toEqual({ valid: false, code: "UNAUTHENTICATED", scopes: [], apiKey: null });
    }
  });

  it("counts as a use of the verified key", async () => {
    const org = await seedOrganization();
    const verifier = await createKey(org.adminKey, { kind: "SERVICE", scopes: ["KEYS_VERIFY"] });
    const customer = await createKey(org.adminKey);
    await verify(verifier.secret, customer.secret);
    const key = await gql(`query($id: ID!) { apiKey(id: $id) { lastUsedAt usedInLast24Hours } }`, {
      key: org.adminKey,
      variables: { id: customer.id },
    });
    expect(key.data?.apiKey.usedInLast24Hours).toBe(true);
  });
});

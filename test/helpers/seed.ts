import { randomUUID } from "node:crypto";
import { createOrganization, type NewOrganization } from "../../server/domain/organizations.ts";
import { gql } from "./http.ts";
import { testServer } from "./server.ts";

export interface SeededOrganization extends NewOrganization {
  /** The admin's full key (every scope). */
  adminKey: string;
}

/** A fresh organization of its own for each test, so tests never depend on each other. */
export async function seedOrganization(name = "Acme"): Promise<SeededOrganization> {
  const { db } = await testServer();
  const created = await createOrganization({ prisma: db.prisma }, {
    organizationName: `${name} ${randomUUID().slice(0, 8)}`,
    email: `admin-${randomUUID()}@example.com`,
  });
  return { ...created, adminKey: created.secret };
}

export const CREATE_KEY = /* GraphQL */ `
  mutation Create($input: CreateApiKeyInput!) {
    createApiKey(input: $input) { apiKey { id name kind environment status scopes maskedKey expiresAt } secret }
  }
`;

/** Creates a key through the API with `callerKey`; returns its id and full secret. */
export async function createKey(
  callerKey: string,
  input: Record<string, unknown> = {},
): Promise<{ id: string; secret: string; apiKey: Record<string, any> }> {
  const result = await gql(CREATE_KEY, { key: callerKey, variables: { input: { name: "test key", ...input } } });
  if (!result.data?.createApiKey) throw new Error(`createApiKey failed: ${result.text}`);
  const { apiKey, secret } = result.data.createApiKey;
  return { id: apiKey.id, secret, apiKey };
}

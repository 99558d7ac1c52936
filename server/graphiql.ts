import type { GraphiQLOptions } from "graphql-yoga";

/** Paste your key here; an empty value is treated as no key, so the schema still loads. */
const headers = JSON.stringify({ "X-API-Key": "" }, null, 2);

/** The common tasks, one tab each, for a newcomer exploring Keyward in a browser. */
const examples = [
  `# Who am I? Paste your key into the Headers tab below, then run.
query Viewer {
  viewer {
    organization { name slug }
    apiKey { name maskedKey scopes }
    user { email }
    role
    scopes
  }
}`,
  `# Your organization's keys, newest first (enabled and disabled; pass status: REVOKED for revoked ones).
query ListKeys {
  apiKeys(first: 20) {
    edges { node { id name status environment maskedKey lastUsedAt usedInLast24Hours } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  `# Create a key. The secret is shown in this answer and never again.
mutation CreateKey {
  createApiKey(input: { name: "CI", scopes: [KEYS_READ], environment: TEST }) {
    apiKey { id maskedKey }
    secret
  }
}`,
  `# New secret, same key; the old secret keeps working for an hour.
mutation RotateKey($id: ID!) {
  rotateApiKey(input: { id: $id, gracePeriodSeconds: 3600 }) {
    apiKey { id maskedKey }
    secret
  }
}`,
  `# Revocation is permanent and takes effect on the key's next request.
mutation RevokeKey($id: ID!) {
  revokeApiKey(input: { id: $id }) { apiKey { id status } }
}`,
  `# Who did what.
query AuditTrail {
  auditEvents(first: 20) { edges { node { action targetId actorKeyId ip createdAt metadata } } }
}`,
];

export const graphiqlOptions: GraphiQLOptions = {
  title: "Keyward",
  headers,
  defaultHeaders: headers,
  shouldPersistHeaders: false,
  defaultTabs: examples.map((query) => ({
    query,
    headers,
    variables: query.includes("$id") ? JSON.stringify({ id: "<key id>" }, null, 2) : null,
  })),
};

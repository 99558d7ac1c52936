import type { GraphiQLOptions } from "graphql-yoga";

/** Paste your key here; an empty value is treated as no key, so the schema still loads. */
const headers = JSON.stringify({ "X-API-Key": "" }, null, 2);

/**
 * The common tasks for a newcomer exploring Keyward in a browser, as named operations of
 * one document in one tab. GraphiQL keeps headers per tab (switching tabs loads that tab's
 * own headers), so one tab per task meant pasting the key into every tab; here it is pasted
 * once. GraphiQL runs the operation under the cursor on Ctrl+Enter, and its ▶ button asks
 * which operation to run when a document holds several.
 */
const examples = `# Paste your key between the quotes of "X-API-Key" in the Headers tab below, once:
# it applies to every operation here. Press ▶ and pick one, or put the cursor
# inside an operation and press Ctrl+Enter. RotateKey and RevokeKey take the
# key's id (from ListKeys) in the Variables tab.

# Who am I?
query Viewer {
  viewer {
    organization { name slug }
    apiKey { name maskedKey scopes }
    user { email }
    role
    scopes
  }
}

# Your organization's keys, newest first (enabled and disabled; pass status: REVOKED for revoked ones).
query ListKeys {
  apiKeys(first: 20) {
    edges { node { id name status environment maskedKey lastUsedAt usedInLast24Hours } }
    pageInfo { hasNextPage endCursor }
  }
}

# Create a key. The secret is shown in this answer and never again.
mutation CreateKey {
  createApiKey(input: { name: "CI", scopes: [KEYS_READ], environment: TEST }) {
    apiKey { id maskedKey }
    secret
  }
}

# New secret, same key; the old secret keeps working for an hour.
mutation RotateKey($id: ID!) {
  rotateApiKey(input: { id: $id, gracePeriodSeconds: 3600 }) {
    apiKey { id maskedKey }
    secret
  }
}

# Revocation is permanent and takes effect on the key's next request.
mutation RevokeKey($id: ID!) {
  revokeApiKey(input: { id: $id }) { apiKey { id status } }
}

# Who did what.
query AuditTrail {
  auditEvents(first: 20) { edges { node { action targetId actorKeyId ip createdAt metadata } } }
}
`;

export const graphiqlOptions: GraphiQLOptions = {
  title: "Keyward",
  headers,
  // Yoga's GraphiQL persists headers to localStorage unless told otherwise; the key stays out of it.
  shouldPersistHeaders: false,
  defaultTabs: [{ query: examples, headers, variables: JSON.stringify({ id: "<key id>" }, null, 2) }],
};

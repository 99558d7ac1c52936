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
const examples = `# Paste your key between the quotes of
# "X-API-Key" in the Headers tab below, once:
# it applies to every operation here.
# Press ▶ and pick one, or put the cursor
# inside an operation and press Ctrl+Enter.
# RotateKey and RevokeKey take a key's id
# (from ListKeys) in the Variables tab.

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

# Your organization's keys, newest first:
# enabled and disabled (pass status: REVOKED
# for the revoked ones).
query ListKeys {
  apiKeys(first: 20) {
    edges {
      node {
        id name status environment maskedKey
        lastUsedAt usedInLast24Hours
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}

# Create a key. The secret is shown in this
# answer and never again.
mutation CreateKey {
  createApiKey(input: {
    name: "CI"
    scopes: [KEYS_READ]
    environment: TEST
  }) {
    apiKey { id maskedKey }
    secret
  }
}

# New secret, same key; the old secret keeps
# working for an hour.
mutation RotateKey($id: ID!) {
  rotateApiKey(input: {
    id: $id
    gracePeriodSeconds: 3600
  }) {
    apiKey { id maskedKey }
    secret
  }
}

# Revocation is permanent and takes effect on
# the key's next request.
mutation RevokeKey($id: ID!) {
  revokeApiKey(input: { id: $id }) {
    apiKey { id status }
  }
}

# Who did what.
query AuditTrail {
  auditEvents(first: 20) {
    edges {
      node {
        action targetId actorKeyId
        ip createdAt metadata
      }
    }
  }
}
`;

/** What RotateKey and RevokeKey need, so running them unedited says what to put there. */
export const exampleVariables = JSON.stringify({ id: "paste a key id from ListKeys" }, null, 2);

export const graphiqlOptions: GraphiQLOptions = {
  title: "Keyward",
  headers,
  // Yoga's GraphiQL persists headers to localStorage unless told otherwise; the key stays out of it.
  shouldPersistHeaders: false,
  // The key comes first: open on the Headers tab (the Variables tab matters only for RotateKey and RevokeKey).
  defaultEditorToolsVisibility: "headers",
  defaultTabs: [{ query: examples, headers, variables: exampleVariables }],
};

/**
 * Runs in the page after the GraphiQL bundle and before GraphiQL starts. Two gaps of the
 * GraphiQL 5 that Yoga ships:
 * - On start GraphiQL fills the editors from `initialQuery`/`initialVariables` (else the
 *   last values it saved under `graphiql:query`/`graphiql:variables`, only ever written on
 *   an edit), not from the tab it restores, and then activates the stored tab whose query
 *   and variables equal those, or appends a new tab holding them. So the first visit showed
 *   empty variables (the default tab's were ignored), and a reload without edits appended an
 *   empty `<untitled>` tab and made it the active one. Here the saved values are set to the
 *   restored active tab's (or, on a first visit, to the prepared variables), so GraphiQL
 *   reopens the tab a person left, with its own variables.
 * - Monaco editors are created without line wrapping, so long lines ran out of sight and a
 *   pasted key scrolled the header editor sideways. With Monaco's global API (Yoga sets
 *   `globalAPI: false`; true only adds `window.monaco`), every editor gets `wordWrap: "on"`.
 * Headers stay out of storage (`shouldPersistHeaders: false`); this reads and writes only
 * the query, the variables and the tab state, which never hold headers.
 */
const bootScript = `(function () {
  try {
    var storage = window.localStorage;
    var state = JSON.parse(storage.getItem("graphiql:tabState") || "null");
    var tab = state && Array.isArray(state.tabs) ? state.tabs[state.activeTabIndex] : null;
    if (tab) {
      storage.setItem("graphiql:query", tab.query || "");
      storage.setItem("graphiql:variables", tab.variables || "");
    } else {
      storage.setItem("graphiql:variables", ${JSON.stringify(exampleVariables)});
    }
  } catch (e) {}
  var monaco = window.monaco;
  if (monaco) {
    var wrap = function (editor) { editor.updateOptions({ wordWrap: "on" }); };
    monaco.editor.getEditors().forEach(wrap);
    monaco.editor.onDidCreateEditor(wrap);
  }
})();
`;

/**
 * Yoga's page (its bundled GraphiQL, no CDN) with the boot script above; throws if Yoga's page
 * changed shape. The bundle (~36 MB once loaded) is imported by the first request for the page.
 */
export async function renderKeywardGraphiQL(options?: GraphiQLOptions): Promise<string> {
  const { renderGraphiQL } = await import("@graphql-yoga/render-graphiql");
  const page = renderGraphiQL(options);
  const monacoEnvironment = "globalAPI: false,";
  const start = "YogaGraphiQL.renderYogaGraphiQL(";
  if (page.split(monacoEnvironment).length !== 2 || page.split(start).length !== 2) {
    throw new Error("@graphql-yoga/render-graphiql's page changed: server/http/graphiql.ts cannot add its boot script");
  }
  return page.replace(monacoEnvironment, "globalAPI: true,").replace(start, () => `${bootScript}\n${start}`);
}

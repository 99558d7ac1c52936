import { serverAudits } from "graphql-http";
import { describe, expect, it } from "vitest";
import { seedOrganization } from "./helpers/seed.ts";
import { testServer } from "./helpers/server.ts";

/** The GraphQL-over-HTTP spec's own audits (graphql-http), run against Keyward with a valid key. */
describe("GraphQL over HTTP audits", async () => {
  const audits = serverAudits({
    url: "http://keyward.test/graphql",
    fetchFn: async (input: RequestInfo | URL, init?: RequestInit) => {
      const { yoga } = await testServer();
      const org = await adminKey();
      const headers = new Headers(init?.headers);
      headers.set("x-api-key", org);
      return yoga.fetch(String(input instanceof Request ? input.url : input), { ...init, headers });
    },
  });

  let key: Promise<string> | undefined;
  const adminKey = () => (key ??= seedOrganization("Audited").then((o) => o.adminKey));

  it.each(audits.filter((a) => a.name.startsWith("MUST")))("$name", async ({ fn }) => {
    const result = await fn();
    expect(result.status, "status" in result ? JSON.stringify(result) : "").toBe("ok");
  });
});

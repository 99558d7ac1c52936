import { describe, expect, it } from "vitest";
import type { InProcessCaller } from "../server/http/request.ts";
import { gql, mutation } from "./helpers/http.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";
import { editedDirectly, testServer } from "./helpers/server.ts";

const VIEWER = `{ viewer { role scopes apiKey { id name } organization { id } } }`;
const DELETE = mutation("deleteApiKey", "{ deletedApiKeyId }");

describe("a key deleted while a request runs", () => {
  it("a request authenticated before the deletion answers NOT_FOUND for the key, never 500", async () => {
    const { yoga, services } = await testServer();
    const org = await seedOrganization("Viewer");
    const key = await createKey(org.adminKey, { name: "deleted mid-request" });
    // Authenticated now; the key is deleted before the fields resolve (the race, made deterministic).
    const verified = await services.verifier.verify(key.secret);
    if (!verified.ok || verified.principal.kind === "PLATFORM") throw new Error("not a valid organization key");
    expect((await gql(DELETE, { key: org.adminKey, variables: { i: { id: key.id, confirm: true } } })).data?.deleteApiKey).toEqual({
      deletedApiKeyId: key.id,
    });
    const caller: InProcessCaller = { principal: verified.principal, requestInfo: { ip: null, userAgent: null } };
    const response = await yoga.fetch(
      "http://keyward.test/graphql",
      { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: VIEWER }) },
      caller,
    );
    const body = await response.json();
    expect({ status: response.status, code: body.errors?.[0]?.extensions?.code, path: body.errors?.[0]?.path }).toEqual({
      status: 200,
      code: "NOT_FOUND",
      path: ["viewer", "apiKey"],
    });
    // The next request with the deleted key is simply not authenticated.
    expect((await gql(VIEWER, { key: key.secret })).code).toBe("UNAUTHENTICATED");
  });

  it("verifyApiKey of a key deleted after it was verified answers valid: false, never 500", async () => {
    const { db } = await testServer();
    const org = await seedOrganization("Verify");
    const key = await createKey(org.adminKey, { name: "verified, then deleted" });
    expect((await gql(VIEWER, { key: key.secret })).status).toBe(200);
    // Deleted behind the cache's back: verification (from memory) still says yes, the row is gone.
    await db.prisma.apiKey.delete({ where: { id: key.id } });
    try {
      const answer = await gql(mutation("verifyApiKey", "{ valid code apiKey { id } }"), {
        key: org.adminKey,
        variables: { i: { key: key.secret } },
      });
      expect([answer.status, answer.data?.verifyApiKey]).toEqual([200, { valid: false, code: "UNAUTHENTICATED", apiKey: null }]);
      // Without asking for `apiKey`, the answer comes from memory, as authentication does: a
      // deletion made outside Keyward is seen when the cache's entry ends (every deletion through
      // Keyward reaches every instance's cache at once).
      const fromMemory = await gql(mutation("verifyApiKey", "{ valid code }"), { key: org.adminKey, variables: { i: { key: key.secret } } });
      expect(fromMemory.data?.verifyApiKey).toEqual({ valid: true, code: null });
    } finally {
      await editedDirectly([key.id]);
    }
  });

  it("racing deletions never produce a 500", async () => {
    const org = await seedOrganization("Viewer race");
    const keys = await Promise.all(Array.from({ length: 20 }, (_, i) => createKey(org.adminKey, { name: `race ${i}` })));
    const answers = await Promise.all(
      keys.flatMap((key) => [
        gql(VIEWER, { key: key.secret }),
        gql(DELETE, { key: org.adminKey, variables: { i: { id: key.id, confirm: true } } }),
        gql(VIEWER, { key: key.secret }),
      ]),
    );
    for (const answer of answers) {
      expect(answer.status, answer.text).toBeLessThan(500);
      expect([undefined, "NOT_FOUND", "UNAUTHENTICATED"], answer.text).toContain(answer.code);
    }
  });
});

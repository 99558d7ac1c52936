import { describe, expect, it } from "vitest";
import type { InProcessCaller } from "../server/http/request.ts";
import { gql, mutation } from "./helpers/http.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";
import { editedDirectly, queryLog, testServer } from "./helpers/server.ts";

// `createdAt` is read from the key's row (id and name alone are answered from memory, below).
const VIEWER = `{ viewer { role scopes apiKey { id name createdAt } organization { id } } }`;
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

describe("viewer.apiKey from memory", () => {
  const KNOWN = `{ viewer { apiKey { __typename id name kind environment status } } }`;

  it("asked only for what authentication verified, reads no database and answers as the row would", async () => {
    const org = await seedOrganization("Viewer memory");
    const key = await createKey(org.adminKey, { name: "who am I", environment: "TEST", kind: "SERVICE" });
    const fromRow = await gql(`{ viewer { apiKey { __typename id name kind environment status createdAt } } }`, { key: key.secret });
    const { createdAt, ...row } = fromRow.data?.viewer.apiKey;
    expect(createdAt).toEqual(expect.any(String));
    queryLog.length = 0;
    for (let i = 0; i < 5; i++) {
      const answer = await gql(KNOWN, { key: key.secret });
      expect([answer.status, answer.data?.viewer.apiKey]).toEqual([200, row]);
    }
    expect(queryLog).toEqual([]);
    expect(row).toEqual({ __typename: "ApiKey", id: key.id, name: "who am I", kind: "SERVICE", environment: "TEST", status: "ENABLED" });
  });

  it("anything else, asked directly or through a fragment, reads the row", async () => {
    const org = await seedOrganization("Viewer fragments");
    await gql(KNOWN, { key: org.adminKey });
    for (const query of [
      `{ viewer { apiKey { id maskedKey } } }`,
      `{ viewer { apiKey { id ...F } } } fragment F on ApiKey { lastUsedAt }`,
      `{ viewer { apiKey { id ... on ApiKey { scopes } } } }`,
    ]) {
      queryLog.length = 0;
      const answer = await gql(query, { key: org.adminKey });
      expect([answer.status, answer.code], answer.text).toEqual([200, undefined]);
      expect(queryLog.filter((sql) => sql.includes('"ApiKey"')).length, query).toBe(1);
    }
  });

  it("a renamed key answers its new name at once", async () => {
    const org = await seedOrganization("Viewer rename");
    const key = await createKey(org.adminKey, { name: "before" });
    expect((await gql(KNOWN, { key: key.secret })).data?.viewer.apiKey.name).toBe("before");
    const renamed = await gql(mutation("renameApiKey", "{ apiKey { name } }"), { key: org.adminKey, variables: { i: { id: key.id, name: "after" } } });
    expect(renamed.data?.renameApiKey.apiKey.name).toBe("after");
    expect((await gql(KNOWN, { key: key.secret })).data?.viewer.apiKey.name).toBe("after");
  });
});

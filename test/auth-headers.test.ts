import { describe, expect, it } from "vitest";
import { formatKey } from "../server/auth/key.ts";
import { gql } from "./helpers/http.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";

const VIEWER = `{ viewer { apiKey { id } } }`;

describe("the three header styles", () => {
  it.each([
    ["X-API-Key", (k: string) => ({ "x-api-key": k })],
    ["Authorization: Bearer", (k: string) => ({ authorization: `Bearer ${k}` })],
    ["Authorization: Api-Key", (k: string) => ({ authorization: `Api-Key ${k}` })],
    ["a lower-case scheme", (k: string) => ({ authorization: `bearer ${k}` })],
    ["the same key twice", (k: string) => ({ "x-api-key": k, authorization: `Bearer ${k}` })],
  ])("accepts %s", async (_, headers) => {
    const org = await seedOrganization();
    const result = await gql(VIEWER, { headers: headers(org.adminKey) });
    expect(result.status).toBe(200);
    expect(result.data?.viewer.apiKey.id).toBe(org.apiKey.id);
  });
});

describe("refusals: 401 UNAUTHENTICATED with WWW-Authenticate", () => {
  const refusals: Array<[string, (org: Awaited<ReturnType<typeof seedOrganization>>, other: string) => Record<string, string>, string?]> = [
    ["two different valid keys", (org, other) => ({ "x-api-key": org.adminKey, authorization: `Bearer ${other}` })],
    ["an unsupported scheme", (org) => ({ authorization: `Basic ${org.adminKey}` })],
    ["a malformed key", () => ({ "x-api-key": "kw_live_not-a-key" })],
    ["a wrong checksum", (org) => ({ "x-api-key": org.adminKey.slice(0, -1) + (org.adminKey.endsWith("x") ? "y" : "x") })],
    ["an unknown id", () => ({ "x-api-key": formatKey("live", "Q".repeat(12), "r".repeat(32)) })],
    ["the right id with a wrong secret", (org) => ({ "x-api-key": formatKey("live", org.apiKey.id, "s".repeat(32)) })],
    ["a live id presented as test", (org) => ({ "x-api-key": formatKey("test", org.apiKey.id, org.adminKey.slice(21, 53)) })],
    ["an over-long header", () => ({ "x-api-key": "k".repeat(600) })],
  ];
  it.each(refusals)("%s", async (_, headers) => {
    const org = await seedOrganization();
    const other = await createKey(org.adminKey, {});
    const result = await gql(VIEWER, { headers: headers(org, other.secret) });
    expect([result.status, result.code]).toEqual([401, "UNAUTHENTICATED"]);
    expect(result.headers.get("www-authenticate")).toMatch(/^Bearer /);
  });

  it("a key in the URL, even beside a valid header", async () => {
    const org = await seedOrganization();
    const result = await gql(VIEWER, { key: org.adminKey, url: `http://keyward.test/graphql?api_key=${org.adminKey}` });
    expect([result.status, result.code]).toEqual([401, "UNAUTHENTICATED"]);
  });
});

describe("without a key", () => {
  it("answers { __typename } (it reveals nothing) and refuses every field with 401", async () => {
    const anonymous = await gql(`{ __typename }`);
    expect([anonymous.status, anonymous.data]).toEqual([200, { __typename: "Query" }]);
    const viewer = await gql(VIEWER);
    expect([viewer.status, viewer.code]).toEqual([401, "UNAUTHENTICATED"]);
    expect(viewer.headers.get("www-authenticate")).toBeTruthy();
    // An empty X-API-Key (GraphiQL's placeholder) counts as no key.
    expect((await gql(`{ __typename }`, { headers: { "x-api-key": "" } })).status).toBe(200);
  });
});

import { describe, expect, it } from "vitest";
import { generateKey } from "../server/auth/key.ts";
import { gql, mutation } from "./helpers/http.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";
import { editedDirectly, testServer } from "./helpers/server.ts";

const VIEWER = /* GraphQL */ `{ viewer { apiKey { id } organization { id } scopes role } }`;
const RENAME = mutation("renameApiKey", "{ apiKey { id name } }");
const DISABLE = mutation("disableApiKey", "{ apiKey { id status } }");
const ENABLE = mutation("enableApiKey", "{ apiKey { id status } }");
const REVOKE = mutation("revokeApiKey", "{ apiKey { id status } }");
const DELETE = mutation("deleteApiKey", "{ deletedApiKeyId }");
const ROTATE = mutation("rotateApiKey", "{ apiKey { id name scopes maskedKey } secret }");
const LIST = /* GraphQL */ `
  query List($first: Int, $after: String, $status: ApiKeyStatus, $environment: ApiKeyEnvironment, $kind: ApiKeyKind, $unusedSince: DateTime) {
    apiKeys(first: $first, after: $after, status: $status, environment: $environment, kind: $kind, unusedSince: $unusedSince) {
      edges { node { id name status } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

describe("createApiKey", () => {
  it("returns the full key once, and the key works at once", async () => {
    const org = await seedOrganization();
    const { id, secret, apiKey } = await createKey(org.adminKey, { name: "CI", scopes: ["KEYS_READ"] });
    expect(secret).toMatch(/^kw_live_[0-9A-Za-z]{12}_[0-9A-Za-z]{38}$/);
    expect(apiKey).toMatchObject({ name: "CI", kind: "PERSONAL", environment: "LIVE", status: "ENABLED", scopes: ["KEYS_READ"] });
    expect(apiKey.maskedKey).toBe(`kw_live_${id}_…${secret.slice(-4)}`);

    const viewer = await gql(VIEWER, { key: secret });
    expect(viewer.status).toBe(200);
    expect(viewer.data?.viewer).toMatchObject({ apiKey: { id }, organization: { id: org.organization.id }, scopes: ["KEYS_READ"] });

    const listed = await gql(`{ apiKeys { edges { node { id maskedKey } } } }`, { key: org.adminKey });
    expect(listed.text).not.toContain(secret.slice(-38));
  });

  it("defaults to every scope of the caller, TEST keys get the test prefix, SERVICE keys have no owner", async () => {
    const org = await seedOrganization();
    const all = await createKey(org.adminKey, {});
    expect(all.apiKey.scopes).toHaveLength(8);
    const test = await createKey(org.adminKey, { environment: "TEST" });
    expect(test.secret.startsWith("kw_test_")).toBe(true);
    const service = await createKey(org.adminKey, { kind: "SERVICE", scopes: ["KEYS_VERIFY"] });
    const viewer = await gql(`{ viewer { user { id } role scopes } }`, { key: service.secret });
    expect(viewer.data?.viewer).toEqual({ user: null, role: null, scopes: ["KEYS_VERIFY"] });
  });

  it("never grants more than the calling key may do", async () => {
    const org = await seedOrganization();
    const narrow = await createKey(org.adminKey, { scopes: ["KEYS_READ", "KEYS_WRITE"] });
    const wider = await gql(mutation("createApiKey", "{ secret }"), {
      key: narrow.secret,
      variables: { i: { name: "escalate", scopes: ["AUDIT_READ"] } },
    });
    expect(wider.status).toBe(403);
    expect(wider.code).toBe("FORBIDDEN");
    const byDefault = await createKey(narrow.secret, {});
    expect(byDefault.apiKey.scopes.sort()).toEqual(["KEYS_READ", "KEYS_WRITE"]);
  });

  it.each([
    ["empty name", { name: "   " }],
    ["name over 100 characters", { name: "x".repeat(101) }],
    ["control characters", { name: "a\u0000b" }],
    ["expiry in the past", { name: "x", expiresAt: "2000-01-01T00:00:00Z" }],
    ["expiry beyond ten years", { name: "x", expiresAt: "2999-01-01T00:00:00Z" }],
    ["an unknown scope", { name: "x", scopes: ["EVERYTHING"] }],
    ["not a date", { name: "x", expiresAt: "tomorrow" }],
    ["a full key in the name", { name: `copy of ${generateKey("live").key}` }],
    ["an invitation code in the name", { name: "kwinv_AbCdEfGh12345678" }],
  ])("refuses %s with BAD_USER_INPUT", async (_, input) => {
    const org = await seedOrganization();
    const result = await gql(mutation("createApiKey", "{ secret }"), { key: org.adminKey, variables: { i: input } });
    expect(result.code).toBe("BAD_USER_INPUT");
    expect(result.status).toBeLessThan(500);
    expect(result.data?.createApiKey ?? null).toBeNull();
  });

  it("in one request of several mutations, one refused does not take the others' secrets with it", async () => {
    const org = await seedOrganization();
    const both = await gql(
      `mutation { kept: createApiKey(input: { name: "kept" }) { apiKey { id } secret } refused: createApiKey(input: { name: "" }) { secret } }`,
      { key: org.adminKey },
    );
    expect(both.data?.refused).toBeNull();
    expect([both.errors?.[0]?.path, both.code]).toEqual([["refused"], "BAD_USER_INPUT"]);
    expect((await gql(`{ viewer { apiKey { id } } }`, { key: both.data?.kept.secret })).data?.viewer.apiKey.id).toBe(both.data?.kept.apiKey.id);
  });

  it("takes a key's masked form as a name (it holds no secret)", async () => {
    const org = await seedOrganization();
    const masked = `replaces kw_live_${org.apiKey.id}_…abcd`;
    expect((await createKey(org.adminKey, { name: masked })).apiKey.name).toBe(masked);
  });

  it("a service key cannot own a personal key, nor mint SERVICE or agent keys: only admins do", async () => {
    const org = await seedOrganization();
    const service = await createKey(org.adminKey, { kind: "SERVICE" });
    const result = await gql(mutation("createApiKey", "{ secret }"), { key: service.secret, variables: { i: { name: "x" } } });
    expect(result.code).toBe("BAD_USER_INPUT");
    const minted = await gql(mutation("createApiKey", "{ secret }"), { key: service.secret, variables: { i: { name: "x", kind: "SERVICE" } } });
    expect([minted.status, minted.code]).toEqual([403, "FORBIDDEN"]);
    const agent = await gql(`mutation { connectAgent(input: { client: CURSOR }) { secret } }`, { key: service.secret });
    expect([agent.status, agent.code]).toEqual([403, "FORBIDDEN"]);
    // It still manages keys within its own reach: a narrower SERVICE key, not an admin's personal key.
    const target = await createKey(org.adminKey, { kind: "SERVICE", scopes: ["KEYS_READ"] });
    const rotated = await gql(mutation("rotateApiKey", "{ secret }"), { key: service.secret, variables: { i: { id: target.id } } });
    expect(rotated.errors).toBeUndefined();
  });
});

describe("the key lifecycle", () => {
  it("rename, disable, enable, revoke: each takes effect on the very next request", async () => {
    const org = await seedOrganization();
    const { id, secret } = await createKey(org.adminKey, { name: "worker" });
    const admin = { key: org.adminKey };

    const renamed = await gql(RENAME, { ...admin, variables: { i: { id, name: "  worker-2 " } } });
    expect(renamed.data?.renameApiKey.apiKey).toEqual({ id, name: "worker-2" });

    expect((await gql(DISABLE, { ...admin, variables: { i: { id } } })).data?.disableApiKey.apiKey.status).toBe("DISABLED");
    const disabled = await gql(VIEWER, { key: secret });
    expect([disabled.status, disabled.code]).toEqual([403, "API_KEY_DISABLED"]);

    expect((await gql(ENABLE, { ...admin, variables: { i: { id } } })).data?.enableApiKey.apiKey.status).toBe("ENABLED");
    expect((await gql(VIEWER, { key: secret })).status).toBe(200);

    expect((await gql(REVOKE, { ...admin, variables: { i: { id } } })).data?.revokeApiKey.apiKey.status).toBe("REVOKED");
    const revoked = await gql(VIEWER, { key: secret });
    expect([revoked.status, revoked.code]).toEqual([403, "API_KEY_REVOKED"]);

    // Revocation is permanent.
    const again = await gql(ENABLE, { ...admin, variables: { i: { id } } });
    expect(again.code).toBe("BAD_USER_INPUT");
    expect((await gql(VIEWER, { key: secret })).code).toBe("API_KEY_REVOKED");
  });

  it("an expired key is refused with API_KEY_EXPIRED", async () => {
    const org = await seedOrganization();
    const { id, secret } = await createKey(org.adminKey, { expiresAt: new Date(Date.now() + 60_000).toISOString() });
    expect((await gql(VIEWER, { key: secret })).status).toBe(200);
    const { db } = await testServer();
    await db.prisma.apiKey.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await editedDirectly([id]);
    const expired = await gql(VIEWER, { key: secret });
    expect([expired.status, expired.code]).toEqual([403, "API_KEY_EXPIRED"]);
    // Listings say so too: its status is still ENABLED, but it is expired.
    const listed = await gql(`query($id: ID!) { apiKey(id: $id) { status expired } }`, { key: org.adminKey, variables: { id } });
    expect(listed.data?.apiKey).toEqual({ status: "ENABLED", expired: true });
    expect((await gql(`{ viewer { apiKey { expired } } }`, { key: org.adminKey })).data?.viewer.apiKey.expired).toBe(false);
  });

  it("rotate keeps id, name and scopes; the old secret works only during the grace period", async () => {
    const org = await seedOrganization();
    const old = await createKey(org.adminKey, { name: "rotating", scopes: ["ORG_READ"] });

    const withGrace = await gql(ROTATE, { key: org.adminKey, variables: { i: { id: old.id, gracePeriodSeconds: 60 } } });
    const rotated = withGrace.data?.rotateApiKey;
    expect(rotated.apiKey).toMatchObject({ id: old.id, name: "rotating", scopes: ["ORG_READ"] });
    expect(rotated.secret).not.toBe(old.secret);
    expect((await gql(VIEWER, { key: rotated.secret })).status).toBe(200);
    expect((await gql(VIEWER, { key: old.secret })).status).toBe(200);

    // End the grace period (time travel by editing the stored expiry).
    const { db } = await testServer();
    await db.prisma.apiKey.update({ where: { id: old.id }, data: { previousSecretExpiresAt: new Date(Date.now() - 1) } });
    await editedDirectly([old.id]);
    expect((await gql(VIEWER, { key: old.secret })).code).toBe("UNAUTHENTICATED");

    const noGrace = await gql(ROTATE, { key: org.adminKey, variables: { i: { id: old.id } } });
    const newest = noGrace.data?.rotateApiKey.secret as string;
    const previous = await gql(VIEWER, { key: rotated.secret });
    expect([previous.status, previous.code]).toEqual([401, "UNAUTHENTICATED"]);
    expect((await gql(VIEWER, { key: newest })).status).toBe(200);

    const badGrace = await gql(ROTATE, { key: org.adminKey, variables: { i: { id: old.id, gracePeriodSeconds: -1 } } });
    expect(badGrace.code).toBe("BAD_USER_INPUT");
  });

  it("delete asks for confirmation inside 24 hours of use", async () => {
    const org = await seedOrganization();
    const unused = await createKey(org.adminKey);
    const deleted = await gql(DELETE, { key: org.adminKey, variables: { i: { id: unused.id } } });
    expect(deleted.data?.deleteApiKey.deletedApiKeyId).toBe(unused.id);
    expect((await gql(VIEWER, { key: unused.secret })).code).toBe("UNAUTHENTICATED");

    const used = await createKey(org.adminKey);
    await gql(VIEWER, { key: used.secret });
    const refused = await gql(DELETE, { key: org.adminKey, variables: { i: { id: used.id } } });
    expect(refused.code).toBe("CONFIRMATION_REQUIRED");
    expect(Date.parse(refused.errors?.[0]?.extensions?.lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect((await gql(VIEWER, { key: used.secret })).status).toBe(200);

    const confirmed = await gql(DELETE, { key: org.adminKey, variables: { i: { id: used.id, confirm: true } } });
    expect(confirmed.data?.deleteApiKey.deletedApiKeyId).toBe(used.id);
    expect((await gql(VIEWER, { key: used.secret })).code).toBe("UNAUTHENTICATED");
  });
});

describe("apiKeys", () => {
  it("pages newest first and filters; revoked keys only when asked for", async () => {
    const org = await seedOrganization();
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await createKey(org.adminKey, { name: `k${i}`, environment: i % 2 ? "TEST" : "LIVE" }));
    await gql(REVOKE, { key: org.adminKey, variables: { i: { id: created[0]!.id } } });
    await gql(DISABLE, { key: org.adminKey, variables: { i: { id: created[1]!.id } } });

    const names: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await gql(LIST, { key: org.adminKey, variables: { first: 2, after } });
      names.push(...page.data.apiKeys.edges.map((e: any) => e.node.name));
      if (!page.data.apiKeys.pageInfo.hasNextPage) break;
      after = page.data.apiKeys.pageInfo.endCursor;
    }
    expect(names).toEqual(["k4", "k3", "k2", "k1", "Admin key"]);

    const revoked = await gql(LIST, { key: org.adminKey, variables: { status: "REVOKED" } });
    expect(revoked.data?.apiKeys.edges.map((e: any) => e.node.name)).toEqual(["k0"]);
    const test = await gql(LIST, { key: org.adminKey, variables: { environment: "TEST" } });
    expect(test.data?.apiKeys.edges.map((e: any) => e.node.name)).toEqual(["k3", "k1"]);
  });

  it("unusedSince sees uses that are not flushed yet, and after the flush", async () => {
    const org = await seedOrganization();
    const used = await createKey(org.adminKey, { name: "used" });
    const idle = await createKey(org.adminKey, { name: "idle" });
    const since = new Date(Date.now() - 1000).toISOString();
    await gql(VIEWER, { key: used.secret });
    const names = async () =>
      (await gql(LIST, { key: org.adminKey, variables: { unusedSince: since } })).data?.apiKeys.edges.map((e: any) => e.node.name);
    expect(await names()).toContain("idle");
    expect(await names()).not.toContain("used");
    const { usage, db } = await testServer();
    await usage.flush();
    expect((await db.prisma.apiKey.findUniqueOrThrow({ where: { id: used.id } })).lastUsedAt).not.toBeNull();
    expect(await names()).not.toContain("used");
    expect(idle.id).toBeTruthy();
  });

  it("refuses a malformed cursor with BAD_USER_INPUT", async () => {
    const org = await seedOrganization();
    const result = await gql(LIST, { key: org.adminKey, variables: { after: "not-a-cursor" } });
    expect(result.code).toBe("BAD_USER_INPUT");
  });
});

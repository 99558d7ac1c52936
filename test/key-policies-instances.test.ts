import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, mutation } from "./helpers/http.ts";
import { firstInstance, secondInstance, settled, type Instance, type OwnInstance } from "./helpers/instances.ts";
import { seedOrganization } from "./helpers/seed.ts";

const CREATE = mutation("createApiKey", "{ apiKey { id } secret }");
const UPDATE = mutation("updateApiKey", "{ apiKey { id } }");
const VERIFY = mutation("verifyApiKey", "{ valid code credits { remaining } rateLimit { remaining } }");
const READ = `query($id: ID!) { apiKey(id: $id) { credits { remaining } } }`;

/**
 * Key limits shared by two Keyward instances on one PostgreSQL (PGlite runs one query at a time,
 * so only here do verifications really race). Invariants are checked over several rounds.
 */
describe.runIf(process.env.DATABASE_URL)("key limits across two instances", () => {
  let first: Instance;
  let second: OwnInstance;
  beforeAll(async () => {
    first = await firstInstance();
    second = await secondInstance(process.env.DATABASE_URL!);
  });
  afterAll(() => second?.close());

  const tally = (answers: Array<{ data?: any }>) => {
    const codes = answers.map((a) => a.data?.verifyApiKey?.code ?? (a.data?.verifyApiKey?.valid ? "valid" : "none"));
    return { valid: codes.filter((c) => c === "valid").length, exceeded: codes.filter((c) => c === "USAGE_EXCEEDED").length, limited: codes.filter((c) => c === "RATE_LIMITED").length };
  };

  it("credits: 50 verifications in parallel, split over both instances, of a key with 45 credits succeed exactly 45 times (5 rounds)", async () => {
    const org = await seedOrganization();
    const created = await gql(CREATE, { key: org.adminKey, variables: { i: { name: "metered", credits: { remaining: 45 } } } });
    const { id } = created.data?.createApiKey.apiKey;
    const secret = created.data?.createApiKey.secret as string;
    for (let round = 0; round < 5; round++) {
      if (round > 0) expect((await gql(UPDATE, { key: org.adminKey, variables: { i: { id, credits: { remaining: 45 } } } })).errors).toBeUndefined();
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? first : second).request(VERIFY, { key: org.adminKey, variables: { i: { key: secret } } })),
      );
      expect(tally(answers), `round ${round}`).toEqual({ valid: 45, exceeded: 5, limited: 0 });
      const remaining = answers.map((a) => a.data?.verifyApiKey.credits?.remaining).filter((r) => r !== undefined);
      expect(remaining).toHaveLength(50);
      // Every successful spend saw a distinct balance: 44 down to 0.
      const spent = answers.filter((a) => a.data?.verifyApiKey.valid).map((a) => a.data?.verifyApiKey.credits.remaining as number);
      expect(spent.sort((a, b) => a - b)).toEqual(Array.from({ length: 45 }, (_, i) => i));
      expect((await gql(READ, { key: org.adminKey, variables: { id } })).data?.apiKey.credits.remaining).toBe(0);
    }
  });

  it("rate limit: 30 verifications in parallel over both instances of a key limited to 12 a minute pass exactly 12 times (3 rounds, a new key each)", async () => {
    const org = await seedOrganization();
    for (let round = 0; round < 3; round++) {
      const created = await gql(CREATE, { key: org.adminKey, variables: { i: { name: `limited ${round}`, rateLimit: { limit: 12, windowSeconds: 60 } } } });
      const secret = created.data?.createApiKey.secret as string;
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? first : second).request(VERIFY, { key: org.adminKey, variables: { i: { key: secret } } })),
      );
      expect(tally(answers), `round ${round}`).toEqual({ valid: 12, exceeded: 0, limited: 18 });
    }
  });

  it("rate limit and credits together: 30 parallel verifications over both instances of a key limited to 12 a minute, with 100 credits, pass 12 times and spend exactly 12 (3 rounds)", async () => {
    const org = await seedOrganization();
    for (let round = 0; round < 3; round++) {
      const created = await gql(CREATE, {
        key: org.adminKey,
        variables: { i: { name: `both ${round}`, rateLimit: { limit: 12, windowSeconds: 60 }, credits: { remaining: 100 } } },
      });
      const { id } = created.data?.createApiKey.apiKey;
      const secret = created.data?.createApiKey.secret as string;
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? first : second).request(VERIFY, { key: org.adminKey, variables: { i: { key: secret } } })),
      );
      expect(tally(answers), `round ${round}`).toEqual({ valid: 12, exceeded: 0, limited: 18 });
      const spent = answers.filter((a) => a.data?.verifyApiKey.valid).map((a) => a.data?.verifyApiKey.credits.remaining as number);
      expect(spent.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => 88 + i));
      // A refusal by the limit spends nothing and does not report credits.
      for (const refused of answers.filter((a) => a.data?.verifyApiKey.code === "RATE_LIMITED")) expect(refused.data?.verifyApiKey).toMatchObject({ credits: null, rateLimit: { remaining: 0 } });
      expect((await gql(READ, { key: org.adminKey, variables: { id } })).data?.apiKey.credits.remaining).toBe(88);
    }
  });

  it("mixed costs in parallel over both instances spend exactly what was there: 30 uses costing 3 and 10 checks costing 0 against 31 credits", async () => {
    const org = await seedOrganization();
    const created = await gql(CREATE, { key: org.adminKey, variables: { i: { name: "mixed", credits: { remaining: 31 } } } });
    const { id } = created.data?.createApiKey.apiKey;
    const secret = created.data?.createApiKey.secret as string;
    const costs = Array.from({ length: 40 }, (_, i) => (i % 4 === 3 ? 0 : 3));
    const answers = await Promise.all(
      costs.map((cost, i) => (i % 2 === 0 ? first : second).request(VERIFY, { key: org.adminKey, variables: { i: { key: secret, cost } } })),
    );
    const spends = answers.filter((a, i) => costs[i] === 3 && a.data?.verifyApiKey.valid).map((a) => a.data?.verifyApiKey.credits.remaining as number);
    // 31 covers ten uses of 3: the balances they leave are 28, 25, … 1, each seen once.
    expect(spends.sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => 1 + 3 * i));
    expect(answers.filter((a, i) => costs[i] === 3 && !a.data?.verifyApiKey.valid).map((a) => a.data?.verifyApiKey)).toEqual(
      Array.from({ length: 20 }, () => ({ valid: false, code: "USAGE_EXCEEDED", credits: { remaining: 1 }, rateLimit: null })),
    );
    // A check costing 0 always passes, whatever is left.
    expect(answers.filter((_, i) => costs[i] === 0).every((a) => a.data?.verifyApiKey.valid)).toBe(true);
    expect((await gql(READ, { key: org.adminKey, variables: { id } })).data?.apiKey.credits.remaining).toBe(1);
  });

  it("uses of a key on Keyward's own API and its verifications count in the same window, on either instance", async () => {
    const org = await seedOrganization();
    const created = await gql(CREATE, {
      key: org.adminKey,
      variables: { i: { name: "shared window", scopes: ["KEYS_READ"], rateLimit: { limit: 5, windowSeconds: 60 }, credits: { remaining: 10 } } },
    });
    const secret = created.data?.createApiKey.secret as string;
    // Two uses on the API (one per instance), then verifications: 3 left in the window.
    expect((await first.request("{ viewer { apiKey { id } } }", { key: secret })).status).toBe(200);
    expect((await second.request("{ viewer { apiKey { id } } }", { key: secret })).status).toBe(200);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await (i % 2 ? first : second).request(VERIFY, { key: org.adminKey, variables: { i: { key: secret } } })).data?.verifyApiKey);
    expect(answers.map((a) => [a.valid, a.rateLimit.remaining, a.credits?.remaining ?? null])).toEqual([
      [true, 2, 9],
      [true, 1, 8],
      [true, 0, 7],
      [false, 0, null],
    ]);
    // And the API refuses the key for the rest of the window, on both instances.
    expect((await first.request("{ viewer { apiKey { id } } }", { key: secret })).status).toBe(429);
    expect((await second.request("{ viewer { apiKey { id } } }", { key: secret })).status).toBe(429);
  });

  it("a change of limits made on one instance holds on the other from its next request", async () => {
    const org = await seedOrganization();
    const created = await gql(CREATE, { key: org.adminKey, variables: { i: { name: "moved" } } });
    const { id } = created.data?.createApiKey.apiKey;
    const secret = created.data?.createApiKey.secret as string;
    // Warm on the second instance.
    expect((await second.request(VERIFY, { key: org.adminKey, variables: { i: { key: secret, ip: "192.0.2.1" } } })).data?.verifyApiKey.valid).toBe(true);
    expect((await gql(UPDATE, { key: org.adminKey, variables: { i: { id, allowedIps: ["198.51.100.0/24"], credits: { remaining: 1 } } } })).errors).toBeUndefined();
    await settled([first, second]);
    expect((await second.request(VERIFY, { key: org.adminKey, variables: { i: { key: secret, ip: "192.0.2.1" } } })).data?.verifyApiKey.code).toBe("IP_NOT_ALLOWED");
    expect((await second.request(VERIFY, { key: org.adminKey, variables: { i: { key: secret, ip: "198.51.100.9" } } })).data?.verifyApiKey).toMatchObject({ valid: true, credits: { remaining: 0 } });
    expect((await first.request(VERIFY, { key: org.adminKey, variables: { i: { key: secret, ip: "198.51.100.9" } } })).data?.verifyApiKey.code).toBe("USAGE_EXCEEDED");
  });
});

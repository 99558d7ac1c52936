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

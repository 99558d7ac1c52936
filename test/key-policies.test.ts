import { afterEach, describe, expect, it, vi } from "vitest";
import { errorStatus } from "../server/errors.ts";
import { gql, mutation, post, send, type GraphQLResponse } from "./helpers/http.ts";
import { addMember } from "./helpers/members.ts";
import { createTenant, seedPlatformKey } from "./helpers/platform.ts";
import { seedOrganization } from "./helpers/seed.ts";
import { keywardError, sdk } from "./helpers/sdk.ts";
import { queryLog, testServer } from "./helpers/server.ts";
import { yogaWith } from "./helpers/yoga.ts";

// A key's own limits: allowedIps, rateLimit, credits. Clocks: rate-limiter-flexible and the
// credit refill read `Date.now()`, so tests move time by faking Date only (timers stay real) —
// nothing sleeps.

const POLICY = `allowedIps rateLimit { limit windowSeconds } credits { remaining refillAmount refillInterval }`;
const CREATE = mutation("createApiKey", `{ apiKey { id ${POLICY} } secret }`);
const UPDATE = mutation("updateApiKey", `{ apiKey { id ${POLICY} } }`);
const READ = `query($id: ID!) { apiKey(id: $id) { ${POLICY} } }`;
const VERIFY = mutation("verifyApiKey", `{ valid code apiKey { id } rateLimit { limit remaining resetAt } credits { remaining } }`);
const VIEWER = `{ viewer { role } }`;

afterEach(() => {
  vi.useRealTimers();
});

/** Fakes `Date` only (no timers): `at(t)` moves the clock. */
function clock(start: string): { at(t: string | number): void } {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(start));
  return { at: (t) => vi.setSystemTime(typeof t === "number" ? new Date(Date.now() + t) : new Date(t)) };
}

async function policyKey(adminKey: string, input: Record<string, unknown>) {
  const created = await gql(CREATE, { key: adminKey, variables: { i: { name: "policy key", ...input } } });
  if (!created.data?.createApiKey) throw new Error(`createApiKey failed: ${created.text}`);
  return { id: created.data.createApiKey.apiKey.id as string, secret: created.data.createApiKey.secret as string, apiKey: created.data.createApiKey.apiKey };
}

const verify = (callerKey: string, i: Record<string, unknown>) => gql(VERIFY, { key: callerKey, variables: { i } });
const verified = (r: GraphQLResponse) => r.data?.verifyApiKey as { valid: boolean; code: string | null; rateLimit: { limit: number; remaining: number; resetAt: string } | null; credits: { remaining: number } | null };

describe("setting limits", () => {
  it("createApiKey stores them normalized, and they read back on ApiKey", async () => {
    const org = await seedOrganization();
    const { apiKey } = await policyKey(org.adminKey, {
      allowedIps: ["203.0.113.77/24", "2001:DB8:0:0::1", " 198.51.100.7 "],
      rateLimit: { limit: 100, windowSeconds: 60 },
      credits: { remaining: 500, refillAmount: 1000, refillInterval: "MONTHLY" },
    });
    expect(apiKey).toMatchObject({
      allowedIps: ["203.0.113.0/24", "2001:db8::1", "198.51.100.7"],
      rateLimit: { limit: 100, windowSeconds: 60 },
      credits: { remaining: 500, refillAmount: 1000, refillInterval: "MONTHLY" },
    });
    const plain = await policyKey(org.adminKey, {});
    expect(plain.apiKey).toMatchObject({ allowedIps: null, rateLimit: null, credits: null });
  });

  it("updateApiKey changes only the fields named, null removes one, and the change is audited with before and after", async () => {
    const org = await seedOrganization();
    const { id } = await policyKey(org.adminKey, { rateLimit: { limit: 10, windowSeconds: 60 }, credits: { remaining: 5 } });
    const updated = await gql(UPDATE, { key: org.adminKey, variables: { i: { id, allowedIps: ["10.0.0.0/8"], rateLimit: null } } });
    expect(updated.data?.updateApiKey.apiKey).toMatchObject({ allowedIps: ["10.0.0.0/8"], rateLimit: null, credits: { remaining: 5, refillAmount: null, refillInterval: null } });
    const cleared = await gql(UPDATE, { key: org.adminKey, variables: { i: { id, allowedIps: [] } } });
    expect(cleared.data?.updateApiKey.apiKey.allowedIps).toBeNull();

    const audit = await gql(`{ auditEvents(action: API_KEY_UPDATED, first: 5) { edges { node { targetId metadata } } } }`, { key: org.adminKey });
    const events = audit.data?.auditEvents.edges.map((e: any) => e.node);
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({
      targetId: id,
      metadata: {
        changed: ["allowedIps", "rateLimit"],
        before: { rateLimit: { limit: 10, windowSeconds: 60 }, credits: { remaining: 5 } },
        after: { allowedIps: ["10.0.0.0/8"], credits: { remaining: 5 } },
      },
    });
    expect(events[1].metadata.after.rateLimit).toBeUndefined();
  });

  it("bad input is BAD_USER_INPUT naming the field, and nothing is half-applied", async () => {
    const org = await seedOrganization();
    const { id } = await policyKey(org.adminKey, { rateLimit: { limit: 10, windowSeconds: 60 } });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ allowedIps: ["10.0.0.0/33"] }, "allowedIps"],
      [{ allowedIps: ["not an address"] }, "allowedIps"],
      [{ allowedIps: Array.from({ length: 101 }, (_, i) => `10.0.${i}.1`) }, "allowedIps"],
      [{ rateLimit: { limit: 0, windowSeconds: 60 } }, "rateLimit.limit"],
      [{ rateLimit: { limit: 1_000_000_001, windowSeconds: 60 } }, "rateLimit.limit"],
      [{ rateLimit: { limit: 5, windowSeconds: 0 } }, "rateLimit.windowSeconds"],
      [{ rateLimit: { limit: 5, windowSeconds: 86_401 } }, "rateLimit.windowSeconds"],
      [{ credits: { remaining: -1 } }, "credits.remaining"],
      [{ credits: { remaining: 1_000_000_001 } }, "credits.remaining"],
      [{ credits: { remaining: 1, refillAmount: 5 } }, "credits.refillInterval"],
      [{ credits: { remaining: 1, refillInterval: "DAILY" } }, "credits.refillAmount"],
      [{ credits: { remaining: 1, refillAmount: -5, refillInterval: "DAILY" } }, "credits.refillAmount"],
      // A valid part with an invalid one: neither is written.
      [{ allowedIps: ["10.0.0.1"], rateLimit: { limit: -1, windowSeconds: 60 } }, "rateLimit.limit"],
    ];
    for (const [fields, field] of cases) {
      const updated = await gql(UPDATE, { key: org.adminKey, variables: { i: { id, ...fields } } });
      expect([updated.code, updated.errors?.[0]?.extensions?.field], JSON.stringify(fields).slice(0, 80)).toEqual(["BAD_USER_INPUT", field]);
      const created = await gql(CREATE, { key: org.adminKey, variables: { i: { name: "bad", ...fields } } });
      expect([created.code, created.errors?.[0]?.extensions?.field]).toEqual(["BAD_USER_INPUT", field]);
    }
    expect((await gql(READ, { key: org.adminKey, variables: { id } })).data?.apiKey).toEqual({ allowedIps: null, rateLimit: { limit: 10, windowSeconds: 60 }, credits: null });
  });

  it("keys of other organizations are NOT_FOUND; a revoked key's limits cannot change", async () => {
    const org = await seedOrganization();
    const other = await seedOrganization();
    const { id } = await policyKey(org.adminKey, {});
    expect((await gql(UPDATE, { key: other.adminKey, variables: { i: { id, rateLimit: null } } })).code).toBe("NOT_FOUND");
    await gql(mutation("revokeApiKey"), { key: org.adminKey, variables: { i: { id } } });
    const revoked = await gql(UPDATE, { key: org.adminKey, variables: { i: { id, rateLimit: { limit: 1, windowSeconds: 1 } } } });
    expect([revoked.code, revoked.errors?.[0]?.extensions?.field]).toEqual(["BAD_USER_INPUT", "id"]);
  });
});

describe("a member may only tighten the limits on their own key", () => {
  it("tightening passes; loosening any part is FORBIDDEN and changes nothing", async () => {
    const org = await seedOrganization();
    const member = await addMember(org.adminKey);
    const id = member.keyId;
    // A second key of the member's, to make the changes with: the one being limited may be narrowed out of reach.
    const caller = await gql(CREATE, { key: member.key, variables: { i: { name: "member caller" } } });
    const memberKey = caller.data?.createApiKey.secret as string;
    const set = await gql(UPDATE, {
      key: org.adminKey,
      variables: {
        i: { id, allowedIps: ["10.0.0.0/8", "2001:db8::/32"], rateLimit: { limit: 100, windowSeconds: 60 }, credits: { remaining: 50, refillAmount: 100, refillInterval: "DAILY" } },
      },
    });
    expect(set.errors).toBeUndefined();
    const current = async () => (await gql(READ, { key: org.adminKey, variables: { id } })).data?.apiKey;
    const before = await current();

    const looser: Array<Record<string, unknown>> = [
      { allowedIps: null },
      { allowedIps: [] },
      { allowedIps: ["10.0.0.0/8", "192.0.2.1"] },
      { allowedIps: ["10.0.0.0/7"] },
      { allowedIps: ["2001:db8::/31"] },
      { rateLimit: null },
      { rateLimit: { limit: 101, windowSeconds: 60 } },
      { rateLimit: { limit: 100, windowSeconds: 59 } },
      { rateLimit: { limit: 50, windowSeconds: 30 } },
      { credits: null },
      { credits: { remaining: 51, refillAmount: 100, refillInterval: "DAILY" } },
      { credits: { remaining: 50, refillAmount: 101, refillInterval: "DAILY" } },
    ];
    for (const change of looser) {
      const refused = await gql(UPDATE, { key: memberKey, variables: { i: { id, ...change } } });
      expect([refused.status, refused.code], JSON.stringify(change)).toEqual([403, "FORBIDDEN"]);
    }
    expect(await current()).toEqual(before);

    const tighter: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [{ allowedIps: ["10.1.0.0/16", "10.2.3.4", "2001:db8:1::/48"] }, { allowedIps: ["10.1.0.0/16", "10.2.3.4", "2001:db8:1::/48"] }],
      [{ rateLimit: { limit: 50, windowSeconds: 120 } }, { rateLimit: { limit: 50, windowSeconds: 120 } }],
      [{ credits: { remaining: 40, refillAmount: 100, refillInterval: "MONTHLY" } }, { credits: { remaining: 40, refillAmount: 100, refillInterval: "MONTHLY" } }],
      [{ credits: { remaining: 30 } }, { credits: { remaining: 30, refillAmount: null, refillInterval: null } }],
    ];
    for (const [change, after] of tighter) {
      const updated = await gql(UPDATE, { key: memberKey, variables: { i: { id, ...change } } });
      expect(updated.errors, JSON.stringify(change)).toBeUndefined();
      expect(updated.data?.updateApiKey.apiKey).toMatchObject(after);
    }
    // Back from no refill to one, or from MONTHLY to DAILY, would be looser again.
    for (const credits of [{ remaining: 30, refillAmount: 1, refillInterval: "MONTHLY" }]) {
      expect((await gql(UPDATE, { key: memberKey, variables: { i: { id, credits } } })).code).toBe("FORBIDDEN");
    }
    // A member may put limits on a key that has none; an admin may loosen anything.
    expect((await gql(UPDATE, { key: memberKey, variables: { i: { id: caller.data?.createApiKey.apiKey.id, rateLimit: { limit: 5, windowSeconds: 1 } } } })).errors).toBeUndefined();
    expect((await gql(UPDATE, { key: org.adminKey, variables: { i: { id, allowedIps: null, rateLimit: null, credits: null } } })).errors).toBeUndefined();
  });

  it("a MONTHLY refill cannot become DAILY", async () => {
    const org = await seedOrganization();
    const member = await addMember(org.adminKey);
    await gql(UPDATE, { key: org.adminKey, variables: { i: { id: member.keyId, credits: { remaining: 5, refillAmount: 5, refillInterval: "MONTHLY" } } } });
    const refused = await gql(UPDATE, { key: member.key, variables: { i: { id: member.keyId, credits: { remaining: 5, refillAmount: 5, refillInterval: "DAILY" } } } });
    expect(refused.code).toBe("FORBIDDEN");
  });
});

describe("allowedIps on Keyward's API (client address from the trusted proxy)", () => {
  it("answers from inside the list and refuses elsewhere with 403 IP_NOT_ALLOWED: IPv4, IPv6, CIDR", async () => {
    const org = await seedOrganization();
    const yoga = await yogaWith({ KEYWARD_TRUST_PROXY: "true" });
    const { secret } = await policyKey(org.adminKey, { allowedIps: ["203.0.113.0/24", "2001:db8:5::/48", "198.51.100.7"] });
    const from = (ip: string | null) => send(yoga, post(VIEWER, { "x-api-key": secret, ...(ip ? { "x-forwarded-for": `192.0.2.250, ${ip}` } : {}) }));
    for (const ip of ["203.0.113.1", "203.0.113.254", "2001:db8:5::1", "2001:db8:5:ffff::abcd", "198.51.100.7", "::ffff:198.51.100.7"]) {
      const answer = await from(ip);
      expect([ip, answer.status, answer.errors]).toEqual([ip, 200, undefined]);
    }
    for (const ip of ["203.0.114.1", "198.51.100.8", "2001:db8:6::1", "192.0.2.250", null]) {
      const refused = await from(ip);
      expect([ip, refused.status, refused.code]).toEqual([ip, 403, "IP_NOT_ALLOWED"]);
      expect(errorStatus.IP_NOT_ALLOWED).toBe(403);
    }
  });

  it("takes effect on the next request after updateApiKey, and is lifted the same way", async () => {
    const org = await seedOrganization();
    const yoga = await yogaWith({ KEYWARD_TRUST_PROXY: "true" });
    const { id, secret } = await policyKey(org.adminKey, {});
    const from = (ip: string) => send(yoga, post(VIEWER, { "x-api-key": secret, "x-forwarded-for": ip }));
    expect((await from("192.0.2.1")).status).toBe(200); // cached now
    await gql(UPDATE, { key: org.adminKey, variables: { i: { id, allowedIps: ["192.0.2.2"] } } });
    expect((await from("192.0.2.1")).code).toBe("IP_NOT_ALLOWED");
    expect((await from("192.0.2.2")).status).toBe(200);
    await gql(UPDATE, { key: org.adminKey, variables: { i: { id, allowedIps: null } } });
    expect((await from("192.0.2.1")).status).toBe(200);
  });
});

describe("rateLimit on Keyward's API", () => {
  it("429 RATE_LIMITED with Retry-After past the limit, and answers again when the window has passed", async () => {
    const time = clock("2031-03-01T10:00:00Z");
    const org = await seedOrganization();
    const { secret } = await policyKey(org.adminKey, { rateLimit: { limit: 3, windowSeconds: 60 } });
    for (let i = 0; i < 3; i++) expect((await gql(VIEWER, { key: secret })).status).toBe(200);
    time.at(30_000);
    const limited = await gql(VIEWER, { key: secret });
    expect([limited.status, limited.code]).toEqual([429, "RATE_LIMITED"]);
    expect(Number(limited.headers.get("retry-after"))).toBe(30);
    time.at(30_001);
    expect((await gql(VIEWER, { key: secret })).status).toBe(200);
    // Another key of the organization is not held up.
    expect((await gql(VIEWER, { key: org.adminKey })).status).toBe(200);
  });
});

describe("verifyApiKey with a key's limits", () => {
  it("applies allowedIps to the ip passed: hit, miss, none given, and a malformed ip is BAD_USER_INPUT", async () => {
    const org = await seedOrganization();
    const { secret } = await policyKey(org.adminKey, { allowedIps: ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"] });
    for (const ip of ["203.0.113.9", "2001:db8:ffff::1", "198.51.100.7", "::ffff:203.0.113.9"]) {
      expect([ip, verified(await verify(org.adminKey, { key: secret, ip }))]).toMatchObject([ip, { valid: true, code: null }]);
    }
    for (const ip of ["203.0.112.9", "2001:db9::1", "198.51.100.70", undefined]) {
      expect([ip, verified(await verify(org.adminKey, { key: secret, ip }))]).toMatchObject([ip, { valid: false, code: "IP_NOT_ALLOWED" }]);
    }
    const bad = await verify(org.adminKey, { key: secret, ip: "10.0.0.0/8" });
    expect([bad.code, bad.errors?.[0]?.extensions?.field]).toEqual(["BAD_USER_INPUT", "ip"]);
    // A key without a list takes any ip, or none.
    expect(verified(await verify(org.adminKey, { key: org.adminKey })).valid).toBe(true);
  });

  it("rate limit: RATE_LIMITED past the limit, rateLimit { limit remaining resetAt } on every verification, reset after the window", async () => {
    const time = clock("2031-04-01T08:00:00Z");
    const org = await seedOrganization();
    const { secret } = await policyKey(org.adminKey, { rateLimit: { limit: 2, windowSeconds: 10 }, allowedIps: ["192.0.2.0/24"] });
    const resetAt = "2031-04-01T08:00:10.000Z";
    expect(verified(await verify(org.adminKey, { key: secret, ip: "192.0.2.1" }))).toMatchObject({ valid: true, rateLimit: { limit: 2, remaining: 1, resetAt } });
    time.at(4_000);
    expect(verified(await verify(org.adminKey, { key: secret, ip: "192.0.2.1" }))).toMatchObject({ valid: true, rateLimit: { limit: 2, remaining: 0, resetAt } });
    expect(verified(await verify(org.adminKey, { key: secret, ip: "192.0.2.1" }))).toMatchObject({ valid: false, code: "RATE_LIMITED", rateLimit: { limit: 2, remaining: 0, resetAt } });
    // Refused for its address: the rate limit is reported, not counted.
    expect(verified(await verify(org.adminKey, { key: secret, ip: "10.0.0.1" }))).toMatchObject({ valid: false, code: "IP_NOT_ALLOWED", rateLimit: { limit: 2, remaining: 0 } });
    time.at("2031-04-01T08:00:10.001Z");
    expect(verified(await verify(org.adminKey, { key: secret, ip: "192.0.2.1" }))).toMatchObject({ valid: true, rateLimit: { limit: 2, remaining: 1, resetAt: "2031-04-01T08:00:20.001Z" } });
  });

  it("credits: each valid verification spends cost; too few left is USAGE_EXCEEDED with nothing spent; cost 0 only checks", async () => {
    const org = await seedOrganization();
    const { id, secret } = await policyKey(org.adminKey, { credits: { remaining: 5 } });
    expect(verified(await verify(org.adminKey, { key: secret }))).toMatchObject({ valid: true, credits: { remaining: 4 } });
    expect(verified(await verify(org.adminKey, { key: secret, cost: 3 }))).toMatchObject({ valid: true, credits: { remaining: 1 } });
    expect(verified(await verify(org.adminKey, { key: secret, cost: 2 }))).toMatchObject({ valid: false, code: "USAGE_EXCEEDED", apiKey: { id }, credits: { remaining: 1 } });
    expect(verified(await verify(org.adminKey, { key: secret, cost: 0 }))).toMatchObject({ valid: true, credits: { remaining: 1 } });
    expect(verified(await verify(org.adminKey, { key: secret }))).toMatchObject({ valid: true, credits: { remaining: 0 } });
    expect(verified(await verify(org.adminKey, { key: secret }))).toMatchObject({ valid: false, code: "USAGE_EXCEEDED", credits: { remaining: 0 } });
    expect((await gql(READ, { key: org.adminKey, variables: { id } })).data?.apiKey.credits.remaining).toBe(0);
    // Credits are verifyApiKey's: using the key on Keyward's API spends none.
    expect((await gql(VIEWER, { key: secret })).status).toBe(200);
    for (const cost of [-1, 1_000_000_001]) {
      const bad = await verify(org.adminKey, { key: secret, cost });
      expect([bad.code, bad.errors?.[0]?.extensions?.field]).toEqual(["BAD_USER_INPUT", "cost"]);
    }
  });

  it("credits are exact under 50 concurrent verifications (45 credits: 45 valid, 5 USAGE_EXCEEDED), round after round", async () => {
    const org = await seedOrganization();
    const { id, secret } = await policyKey(org.adminKey, { credits: { remaining: 45 } });
    for (let round = 0; round < 3; round++) {
      if (round > 0) await gql(UPDATE, { key: org.adminKey, variables: { i: { id, credits: { remaining: 45 } } } });
      const answers = await Promise.all(Array.from({ length: 50 }, () => verify(org.adminKey, { key: secret })));
      const codes = answers.map((a) => verified(a).code);
      expect(codes.filter((c) => c === null).length, `round ${round}`).toBe(45);
      expect(codes.filter((c) => c === "USAGE_EXCEEDED").length).toBe(5);
      expect((await gql(READ, { key: org.adminKey, variables: { id } })).data?.apiKey.credits.remaining).toBe(0);
    }
  });

  it.skipIf(process.env.DATABASE_URL)("on the embedded database, spends write nothing per check: balances are written in batches", async () => {
    const { services, db } = await testServer();
    const org = await seedOrganization();
    const { id, secret } = await policyKey(org.adminKey, { credits: { remaining: 100 }, rateLimit: { limit: 1000, windowSeconds: 60 } });
    expect(verified(await verify(org.adminKey, { key: secret })).credits).toEqual({ remaining: 99 }); // reads the balance once
    queryLog.length = 0;
    for (let i = 0; i < 20; i++) expect(verified(await verify(org.adminKey, { key: secret })).valid).toBe(true);
    expect(queryLog.length).toBeGreaterThan(0); // the verifying caller's own reads are logged
    expect(queryLog.filter((sql) => /^\s*(UPDATE|INSERT)/i.test(sql) && /ApiKey"|RateLimiter/.test(sql))).toEqual([]);
    expect((await db.prisma.apiKey.findUniqueOrThrow({ where: { id } })).creditsRemaining).toBe(100);
    await services.keyLimits.ledger!.flush();
    expect((await db.prisma.apiKey.findUniqueOrThrow({ where: { id } })).creditsRemaining).toBe(79);
    // An admin's change starts from what was really left, and what it sets holds.
    await verify(org.adminKey, { key: secret });
    expect((await gql(UPDATE, { key: org.adminKey, variables: { i: { id, allowedIps: ["192.0.2.0/24"] } } })).data?.updateApiKey.apiKey.credits).toEqual({ remaining: 78, refillAmount: null, refillInterval: null });
    expect((await gql(UPDATE, { key: org.adminKey, variables: { i: { id, credits: { remaining: 5 }, allowedIps: null } } })).data?.updateApiKey.apiKey.credits.remaining).toBe(5);
    expect(verified(await verify(org.adminKey, { key: secret })).credits).toEqual({ remaining: 4 });
  });

  it("refills at the start of each UTC day (DAILY) and month (MONTHLY)", async () => {
    const time = clock("2031-01-31T23:59:00Z");
    const org = await seedOrganization();
    const daily = await policyKey(org.adminKey, { credits: { remaining: 1, refillAmount: 3, refillInterval: "DAILY" } });
    const monthly = await policyKey(org.adminKey, { credits: { remaining: 1, refillAmount: 2, refillInterval: "MONTHLY" } });
    for (const key of [daily, monthly]) {
      expect(verified(await verify(org.adminKey, { key: key.secret }))).toMatchObject({ valid: true, credits: { remaining: 0 } });
      expect(verified(await verify(org.adminKey, { key: key.secret }))).toMatchObject({ valid: false, code: "USAGE_EXCEEDED" });
    }
    time.at("2031-01-31T23:59:59.999Z");
    expect(verified(await verify(org.adminKey, { key: daily.secret })).code).toBe("USAGE_EXCEEDED");
    time.at("2031-02-01T00:00:00.000Z");
    // A new day and a new month: read back full before anything is spent.
    expect((await gql(READ, { key: org.adminKey, variables: { id: daily.id } })).data?.apiKey.credits.remaining).toBe(3);
    expect(verified(await verify(org.adminKey, { key: daily.secret }))).toMatchObject({ valid: true, credits: { remaining: 2 } });
    expect(verified(await verify(org.adminKey, { key: monthly.secret }))).toMatchObject({ valid: true, credits: { remaining: 1 } });
    expect(verified(await verify(org.adminKey, { key: monthly.secret }))).toMatchObject({ valid: true, credits: { remaining: 0 } });
    // The next day refills the daily key only; the monthly one waits for March.
    time.at("2031-02-02T00:00:01Z");
    expect(verified(await verify(org.adminKey, { key: daily.secret }))).toMatchObject({ valid: true, credits: { remaining: 2 } });
    expect(verified(await verify(org.adminKey, { key: monthly.secret })).code).toBe("USAGE_EXCEEDED");
    time.at("2031-03-01T00:00:00Z");
    expect(verified(await verify(org.adminKey, { key: monthly.secret }))).toMatchObject({ valid: true, credits: { remaining: 1 } });
  });

  it("a platform key verifying a tenant's key gets the same answers (ip, rate limit, credits)", async () => {
    const platform = await seedPlatformKey();
    const tenant = await createTenant(platform.secret);
    const created = await gql(CREATE, {
      key: platform.secret,
      variables: { i: { name: "tenant key", kind: "SERVICE", organizationId: tenant.id, allowedIps: ["192.0.2.0/24"], rateLimit: { limit: 100, windowSeconds: 60 }, credits: { remaining: 1 } } },
    });
    const secret = created.data?.createApiKey.secret as string;
    expect(created.data?.createApiKey.apiKey).toMatchObject({ allowedIps: ["192.0.2.0/24"], credits: { remaining: 1 } });
    expect(verified(await verify(platform.secret, { key: secret, ip: "198.51.100.1" }))).toMatchObject({ valid: false, code: "IP_NOT_ALLOWED" });
    expect(verified(await verify(platform.secret, { key: secret, ip: "192.0.2.1" }))).toMatchObject({ valid: true, rateLimit: { limit: 100, remaining: 99 }, credits: { remaining: 0 } });
    expect(verified(await verify(platform.secret, { key: secret, ip: "192.0.2.1" }))).toMatchObject({ valid: false, code: "USAGE_EXCEEDED", credits: { remaining: 0 } });
  });
});

describe("the SDK", () => {
  it("updateApiKey sets limits; verifyRequest passes ip and cost; a member's loosening is a KeywardError FORBIDDEN", async () => {
    const org = await seedOrganization();
    const kw = await sdk(org.adminKey);
    const { apiKey, secret } = await kw.createApiKey({ name: "sdk limited", credits: { remaining: 10 } });
    expect(apiKey.credits).toEqual({ remaining: 10, refillAmount: null, refillInterval: null });
    const updated = await kw.updateApiKey({ id: apiKey.id, allowedIps: ["192.0.2.0/24"], rateLimit: { limit: 50, windowSeconds: 60 } });
    expect(updated.apiKey).toMatchObject({ allowedIps: ["192.0.2.0/24"], rateLimit: { limit: 50, windowSeconds: 60 } });
    const request = { headers: { "x-api-key": secret } };
    expect(await kw.verifyRequest(request)).toMatchObject({ valid: false, code: "IP_NOT_ALLOWED" });
    expect(await kw.verifyRequest(request, { ip: "192.0.2.10", cost: 4 })).toMatchObject({ valid: true, credits: { remaining: 6 }, rateLimit: { limit: 50 } });
    expect(await kw.verifyRequest(request, { ip: "192.0.2.10", cost: 7 })).toMatchObject({ valid: false, code: "USAGE_EXCEEDED", credits: { remaining: 6 } });
    await keywardError(kw.verifyApiKey({ key: secret, cost: -1 }), "BAD_USER_INPUT");

    const member = await addMember(org.adminKey);
    await kw.updateApiKey({ id: member.keyId, rateLimit: { limit: 10, windowSeconds: 60 } });
    await keywardError((await sdk(member.key)).updateApiKey({ id: member.keyId, rateLimit: null }), "FORBIDDEN", 403);
  });
});

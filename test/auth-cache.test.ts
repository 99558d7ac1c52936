import { describe, expect, it } from "vitest";
import { formatKey, randomBase62 } from "../server/auth/key.ts";
import { KeyCache } from "../server/auth/cache.ts";
import { keyRecords, type KeyRecords } from "../server/auth/keyRecords.ts";
import { Verifier } from "../server/auth/verifier.ts";
import { openDatabase } from "../server/db.ts";
import { createServices } from "../server/services.ts";
import { createLogger } from "../server/infra/logger.ts";
import { createKeywardYoga } from "../server/yoga.ts";
import { gql, mutation, request } from "./helpers/http.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";
import { sdk } from "./helpers/sdk.ts";
import { queryLog, testServer } from "./helpers/server.ts";

const VIEWER = `{ viewer { scopes role } }`;

describe("authentication is served from memory", () => {
  it("1,000 authenticated requests with a warm key send no query to the database, and write nothing", async () => {
    const org = await seedOrganization();
    const { secret } = await createKey(org.adminKey, { scopes: ["ORG_READ"] });
    expect((await gql(VIEWER, { key: secret })).status).toBe(200);

    queryLog.length = 0;
    for (let i = 0; i < 1000; i++) {
      const result = await gql(i % 2 ? `{ __typename }` : VIEWER, { key: secret });
      expect(result.status).toBe(200);
    }
    expect(queryLog).toEqual([]);

    // Usage is written later, in one batch for all of those requests.
    const { usage } = await testServer();
    await usage.flush();
    expect(queryLog.filter((q) => /INSERT|UPDATE|DELETE/i.test(q)).length).toBeLessThanOrEqual(2);
  });

  it("the SDK's verifyApiKey and verifyRequest of a warm key read nothing: the key comes from memory", async () => {
    const org = await seedOrganization();
    const verifier = await createKey(org.adminKey, { scopes: ["KEYS_VERIFY"] });
    const presented = await createKey(org.adminKey, { name: "presented" });
    const kw = await sdk(verifier.secret);
    expect(await kw.verifyApiKey({ key: presented.secret })).toMatchObject({ valid: true, key: { id: presented.id, name: "presented" } });
    queryLog.length = 0;
    for (let i = 0; i < 20; i++) {
      expect(await kw.verifyRequest({ headers: { "x-api-key": presented.secret } })).toMatchObject({ valid: true, key: { id: presented.id, kind: "PERSONAL" } });
    }
    expect(queryLog).toEqual([]);
  });

  it("a flood of made-up keys reaches the database at most once per id", async () => {
    await seedOrganization();
    const fake = formatKey("live", randomBase62(12), randomBase62(32));
    queryLog.length = 0;
    for (let i = 0; i < 200; i++) expect((await gql(VIEWER, { key: fake })).code).toBe("UNAUTHENTICATED");
    for (let i = 0; i < 200; i++) expect((await gql(VIEWER, { key: `kw_live_${"x".repeat(51)}` })).code).toBe("UNAUTHENTICATED");
    expect(queryLog.length).toBe(1);
  });

  it("50 requests at once with a key not in memory read it once", async () => {
    const org = await seedOrganization();
    const { secret } = await createKey(org.adminKey, { scopes: ["ORG_READ"] });
    const { services } = await testServer();
    services.verifier.cache.clear();
    queryLog.length = 0;
    const answers = await Promise.all(Array.from({ length: 50 }, () => gql(VIEWER, { key: secret })));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 50 }, () => 200));
    expect(queryLog.filter((q) => /FROM "ApiKey" k/.test(q))).toHaveLength(1);
  });

  it("a miss after a change reads the key afresh, rather than joining a read that began before the change", async () => {
    const org = await seedOrganization();
    const member = await createKey(org.adminKey, {});
    const { db } = await testServer();
    // The same database through a reader whose first key read waits at a gate: the read is
    // in flight while the key is revoked and the change is announced.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let read!: () => void;
    const hasRead = new Promise<void>((resolve) => (read = resolve));
    let held = false;
    const records = keyRecords(db);
    const gated: KeyRecords = async (keyId) => {
      if (held) return records(keyId);
      held = true;
      const record = await records(keyId);
      read();
      await gate;
      return record;
    };
    const verifier = new Verifier(gated, new KeyCache());
    const before = verifier.verify(member.secret);
    await hasRead;
    await db.prisma.apiKey.update({ where: { id: member.id }, data: { status: "REVOKED" } });
    verifier.cache.invalidateKeys([member.id]);
    const after = verifier.verify(member.secret);
    open();
    expect(await before).toMatchObject({ ok: true });
    expect(await after).toMatchObject({ ok: false, code: "API_KEY_REVOKED" });
    // And the read from before the change was not kept.
    expect(await verifier.verify(member.secret)).toMatchObject({ ok: false, code: "API_KEY_REVOKED" });
  });

  it("each refusing change is seen by the very next request on the same instance, even with a warm cache", async () => {
    const org = await seedOrganization();
    const member = await createKey(org.adminKey, {});
    const op = (name: string, id: string) =>
      gql(mutation(name), {
        key: org.adminKey,
        variables: { i: { id, confirm: name === "deleteApiKey" ? true : undefined } },
      });
    for (const [change, code] of [
      ["disableApiKey", "API_KEY_DISABLED"],
      ["revokeApiKey", "API_KEY_REVOKED"],
      ["rotateApiKey", "UNAUTHENTICATED"],
      ["deleteApiKey", "UNAUTHENTICATED"],
    ] as const) {
      const { id, secret } = await createKey(member.secret, {});
      expect((await gql(VIEWER, { key: secret })).status).toBe(200);
      expect((await op(change, id)).errors).toBeUndefined();
      expect((await gql(VIEWER, { key: secret })).code).toBe(code);
    }
  });
});

describe.runIf(Boolean(process.env.DATABASE_URL))("across instances (PostgreSQL)", () => {
  it("an instance skips the echo of its own changes, and applies everyone else's", async () => {
    const { services, db } = await testServer();
    const org = await seedOrganization();
    const mine = await createKey(org.adminKey, {});
    const theirs = await createKey(org.adminKey, {});
    for (const key of [mine, theirs]) expect((await gql(VIEWER, { key: key.secret })).status).toBe(200);
    const cached = (id: string) => services.verifier.cache.get(id) !== undefined;
    const notify = (payload: object) => db.prisma.$executeRaw`SELECT pg_notify('keyward_key_changes', ${JSON.stringify(payload)})`;

    await notify({ from: services.keyChanges.instanceId, keyIds: [mine.id] });
    await notify({ from: "another-instance", keyIds: [theirs.id] });
    // Notifications arrive in order: once the second is applied, the first was handled.
    for (let i = 0; i < 200 && cached(theirs.id); i++) await new Promise((r) => setTimeout(r, 5));
    expect(cached(theirs.id)).toBe(false);
    expect(cached(mine.id)).toBe(true);
  });

  it("a revocation on one instance is refused by another within milliseconds, and a lost listener flushes the cache", async () => {
    const { config } = await testServer();
    const db = await openDatabase({ databaseUrl: config.databaseUrl });
    const other = createServices(db, config, { logger: createLogger("error") });
    await other.keyChanges.listen(config.databaseUrl!);
    const otherYoga = createKeywardYoga(other);
    const onOther = async (key: string) => {
      const { status, code } = await request(otherYoga, VIEWER, { key, url: "http://other.test/graphql" });
      return { status, code };
    };
    const refusedWithin = async (key: string, code: string) => {
      const started = performance.now();
      while (performance.now() - started < 2_000) {
        if ((await onOther(key)).code === code) return performance.now() - started;
        await new Promise((r) => setTimeout(r, 2));
      }
      throw new Error(`not refused with ${code} within 2 s`);
    };
    try {
      const org = await seedOrganization();
      const { id, secret } = await createKey(org.adminKey, {});
      expect((await onOther(secret)).status).toBe(200);
      await gql(mutation("revokeApiKey"), { key: org.adminKey, variables: { i: { id } } });
      expect(await refusedWithin(secret, "API_KEY_REVOKED")).toBeLessThan(500);

      // Drop the listener's connection: the other instance forgets everything, reconnects, and keeps listening.
      const warm = await createKey(org.adminKey, {});
      expect((await onOther(warm.secret)).status).toBe(200);
      // Only this instance's listener: other test workers share the PostgreSQL server.
      await db.prisma.$executeRaw`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ${other.keyChanges.listenerName}`;
      await new Promise((r) => setTimeout(r, 500));
      expect(other.verifier.cache.size).toBe(0);
      await gql(mutation("disableApiKey"), {
        key: org.adminKey,
        variables: { i: { id: warm.id } },
      });
      expect(await refusedWithin(warm.secret, "API_KEY_DISABLED")).toBeLessThan(500);
    } finally {
      await other.keyChanges.stop();
      await db.close();
    }
  });
});

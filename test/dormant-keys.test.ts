import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../server/config.ts";
import { sweepDormantKeys } from "../server/domain/dormantKeys.ts";
import { gql, mutation } from "./helpers/http.ts";
import { firstInstance, secondInstance, settled, type Instance, type OwnInstance } from "./helpers/instances.ts";
import { AUDIT, DAY, inDays, setPolicy } from "./helpers/policy.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";
import { testServer } from "./helpers/server.ts";

describe("the dormant-key sweep (disableUnusedAfterDays)", () => {
  /** Keys whose creation is moved back, as if made `days` ago. */
  async function madeDaysAgo(days: number, keyIds: string[]) {
    const { db } = await testServer();
    await db.prisma.apiKey.updateMany({ where: { id: { in: keyIds } }, data: { createdAt: new Date(Date.now() - days * DAY) } });
  }
  const disabledEvents = async (key: string, id: string) =>
    ((await gql(AUDIT, { key, variables: { action: "API_KEY_DISABLED" } })).data?.auditEvents.edges ?? []).map((e: any) => e.node).filter((e: any) => e.targetId === id);

  it("disables keys unused that long once, audited reason dormant, refused at once; leaves used, young, expired and other organizations' keys", async () => {
    const { services, db } = await testServer();
    const org = await seedOrganization("Dormant");
    const lax = await seedOrganization("No policy");
    await setPolicy(org.adminKey, { disableUnusedAfterDays: 30 });
    const dormant = await createKey(org.adminKey, { name: "dormant" });
    const usedYesterday = await createKey(org.adminKey, { name: "used yesterday" });
    const usedJustNow = await createKey(org.adminKey, { name: "used just now" });
    const expired = await createKey(org.adminKey, { name: "expired", expiresAt: inDays(1) });
    const young = await createKey(org.adminKey, { name: "young" });
    const elsewhere = await createKey(lax.adminKey, { name: "no policy" });
    await madeDaysAgo(40, [dormant.id, usedYesterday.id, usedJustNow.id, expired.id, elsewhere.id, org.apiKey.id]);
    await db.prisma.apiKey.update({ where: { id: usedYesterday.id }, data: { lastUsedAt: new Date(Date.now() - DAY) } });
    await db.prisma.apiKey.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    // Used a moment ago: only in this instance's memory until the sweep flushes it.
    expect((await gql(`{ viewer { apiKey { id } } }`, { key: usedJustNow.secret })).data?.viewer.apiKey.id).toBe(usedJustNow.id);
    // The admin's key is used by every request of this test: it stays.

    const first = await sweepDormantKeys(services);
    expect(first.disabled.filter((k) => [org.organization.id, lax.organization.id].includes(k.organizationId))).toEqual([
      { id: dormant.id, organizationId: org.organization.id },
    ]);
    const refused = await gql(`{ viewer { apiKey { id } } }`, { key: dormant.secret });
    expect([refused.status, refused.code]).toEqual([403, "API_KEY_DISABLED"]);
    const statuses = await db.prisma.apiKey.findMany({ where: { organizationId: { in: [org.organization.id, lax.organization.id] } }, select: { id: true, status: true } });
    expect(Object.fromEntries(statuses.map((k) => [k.id, k.status]))).toEqual({
      [org.apiKey.id]: "ENABLED",
      [dormant.id]: "DISABLED",
      [usedYesterday.id]: "ENABLED",
      [usedJustNow.id]: "ENABLED",
      [expired.id]: "ENABLED",
      [young.id]: "ENABLED",
      [lax.apiKey.id]: "ENABLED",
      [elsewhere.id]: "ENABLED",
    });
    const [event] = await disabledEvents(org.adminKey, dormant.id);
    expect(event).toEqual({
      action: "API_KEY_DISABLED",
      actorKeyId: null,
      actorUserId: null,
      targetId: dormant.id,
      metadata: { name: "dormant", from: "ENABLED", to: "DISABLED", reason: "dormant", disableUnusedAfterDays: 30, lastUsedAt: null, via: "system" },
    });

    // Once: a second sweep finds nothing more to do.
    expect((await sweepDormantKeys(services)).disabled.filter((k) => k.organizationId === org.organization.id)).toEqual([]);
    expect(await disabledEvents(org.adminKey, dormant.id)).toHaveLength(1);

    // Enabled again by an admin: a full period before it counts as dormant again (the clock restarts).
    await gql(mutation("enableApiKey"), { key: org.adminKey, variables: { i: { id: dormant.id } } });
    expect((await sweepDormantKeys(services)).disabled.map((k) => k.id)).not.toContain(dormant.id);
    // Half a day short of the period (the re-enabling moved back in time)…
    await db.prisma.apiKey.update({ where: { id: dormant.id }, data: { enabledAt: new Date(Date.now() - 29.5 * DAY) } });
    expect((await sweepDormantKeys(services)).disabled.map((k) => k.id)).not.toContain(dormant.id);
    // …and a day later (the sweep's injected clock; no organization of any test has a one-day period, so
    // only keys moved back in time are touched), dormant again: a second event.
    const later = await sweepDormantKeys(services, new Date(Date.now() + DAY));
    expect(later.disabled.map((k) => k.id)).toContain(dormant.id);
    expect(later.disabled.map((k) => k.id)).not.toContain(elsewhere.id);
    expect(await disabledEvents(org.adminKey, dormant.id)).toHaveLength(2);
  });

  it("clearing the policy stops the sweep for that organization", async () => {
    const { services } = await testServer();
    const org = await seedOrganization("Cleared");
    await setPolicy(org.adminKey, { disableUnusedAfterDays: 10 });
    const key = await createKey(org.adminKey, { name: "idle" });
    await madeDaysAgo(20, [key.id]);
    await setPolicy(org.adminKey, { disableUnusedAfterDays: null });
    expect((await sweepDormantKeys(services)).disabled.map((k) => k.id)).not.toContain(key.id);
  });
});

describe("KEYWARD_DORMANT_SWEEP_MINUTES", () => {
  it("defaults to an hour, 0 turns the sweep off, anything else is refused at start", () => {
    expect(loadConfig({}).dormantSweepMs).toBe(3_600_000);
    expect(loadConfig({ KEYWARD_DORMANT_SWEEP_MINUTES: "0" }).dormantSweepMs).toBe(0);
    expect(loadConfig({ KEYWARD_DORMANT_SWEEP_MINUTES: "5" }).dormantSweepMs).toBe(300_000);
    for (const bad of ["-1", "1.5", "soon", "20000"]) expect(() => loadConfig({ KEYWARD_DORMANT_SWEEP_MINUTES: bad })).toThrow(ConfigError);
  });
});

/**
 * PostgreSQL only (PGlite runs one query at a time): sweeps started at once on two instances
 * disable each dormant key exactly once — one API_KEY_DISABLED event per key, no key reported
 * by two sweeps — and every instance refuses the keys afterwards. Invariants over rounds.
 */
describe.skipIf(!process.env.DATABASE_URL)("concurrent sweeps on two instances (PostgreSQL)", () => {
  const ROUNDS = 6;
  const KEYS_PER_ROUND = 12;
  let one: Instance;
  let two: OwnInstance;
  beforeAll(async () => {
    one = await firstInstance();
    two = await secondInstance(process.env.DATABASE_URL!);
  });
  afterAll(async () => {
    await two?.close();
  });

  it(`disables each dormant key exactly once over ${ROUNDS} rounds`, async () => {
    const { db } = await testServer();
    for (let round = 0; round < ROUNDS; round++) {
      const org = await seedOrganization(`Swept ${round}`);
      await setPolicy(org.adminKey, { disableUnusedAfterDays: 7 });
      const keys = await Promise.all(Array.from({ length: KEYS_PER_ROUND }, (_, n) => createKey(org.adminKey, { name: `idle ${n}` })));
      const ids = keys.map((k) => k.id);
      await db.prisma.apiKey.updateMany({ where: { id: { in: ids } }, data: { createdAt: new Date(Date.now() - 8 * DAY) } });
      // Both instances hold the keys in memory as valid (verified directly: no request, so no use is
      // recorded), so their refusal afterwards is the sweep's invalidation arriving, not a cold read.
      const probe = keys[round % KEYS_PER_ROUND]!;
      for (const instance of [one, two]) expect(await instance.services.verifier.verify(probe.secret)).toMatchObject({ ok: true });
      const sweeps = await Promise.all([one, two, one, two].map((instance) => sweepDormantKeys(instance.services)));
      const reported = sweeps.flatMap((s) => s.disabled.map((k) => k.id)).filter((id) => ids.includes(id));
      expect(reported.sort(), `round ${round}: each key reported by one sweep`).toEqual([...ids].sort());
      const rows = await db.prisma.apiKey.findMany({ where: { id: { in: ids } }, select: { status: true } });
      expect(rows.every((r) => r.status === "DISABLED"), `round ${round}: all disabled`).toBe(true);
      const events = await db.prisma.auditEvent.groupBy({ by: ["targetId"], where: { action: "API_KEY_DISABLED", targetId: { in: ids } }, _count: true });
      expect(events.map((e) => e._count), `round ${round}: one event per key`).toEqual(ids.map(() => 1));
      await settled([one, two]);
      for (const instance of [one, two]) {
        const refused = await instance.request(`{ viewer { apiKey { id } } }`, { key: probe.secret });
        expect([refused.status, refused.code], `round ${round}: ${instance.name}`).toEqual([403, "API_KEY_DISABLED"]);
      }
    }
  });
});

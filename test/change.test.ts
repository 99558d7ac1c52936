import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHANNEL } from "../server/auth/changes.ts";
import { gql, type GraphQLResponse } from "./helpers/http.ts";
import { CREATE_KEY, seedOrganization } from "./helpers/seed.ts";
import { testServer } from "./helpers/server.ts";

// A name whose audit event the database refuses: the key row is written first, then its event fails.
const POISON = `poison-${randomUUID().slice(0, 8)}`;
const trigger = `keyward_test_refuse_${POISON.replace(/-/g, "_")}`;

beforeAll(async () => {
  const { db } = await testServer();
  await db.prisma.$executeRawUnsafe(`
    CREATE FUNCTION "${trigger}"() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW."metadata"->>'name' = '${POISON}' THEN RAISE EXCEPTION 'refused by the test'; END IF;
      RETURN NEW;
    END $$`);
  await db.prisma.$executeRawUnsafe(`CREATE TRIGGER "${trigger}" BEFORE INSERT ON "AuditEvent" FOR EACH ROW EXECUTE FUNCTION "${trigger}"()`);
});

afterAll(async () => {
  const { db } = await testServer();
  await db.prisma.$executeRawUnsafe(`DROP TRIGGER IF EXISTS "${trigger}" ON "AuditEvent"`);
  await db.prisma.$executeRawUnsafe(`DROP FUNCTION IF EXISTS "${trigger}"()`);
});

/** Every invalidation this instance applied locally and, on PostgreSQL, every NOTIFY it sent, while `during` ran. */
async function invalidationsDuring(during: () => Promise<unknown>): Promise<{ applied: unknown[]; notified: string[] }> {
  const { services, config } = await testServer();
  const applied: unknown[] = [];
  const original = services.keyChanges.apply.bind(services.keyChanges);
  services.keyChanges.apply = (change) => {
    // Other test workers' changes arrive through the listener, tagged with their instance.
    if (!("from" in change)) applied.push(change);
    original(change);
  };
  const notified: string[] = [];
  let listener: pg.Client | undefined;
  if (config.databaseUrl) {
    listener = new pg.Client({ connectionString: config.databaseUrl });
    await listener.connect();
    await listener.query(`LISTEN ${CHANNEL}`);
    listener.on("notification", (n) => {
      if (n.payload?.includes(services.keyChanges.instanceId)) notified.push(n.payload);
    });
  }
  try {
    await during();
    if (listener) {
      // Notifications arrive in commit order: once our own marker is here, anything the change sent is too.
      const marker = randomUUID();
      const arrived = new Promise<void>((resolve) => listener!.on("notification", (n) => n.payload === marker && resolve()));
      await listener.query(`SELECT pg_notify($1, $2)`, [CHANNEL, marker]);
      await arrived;
    }
  } finally {
    services.keyChanges.apply = original;
    await listener?.end();
  }
  return { applied, notified };
}

describe("change(): the one write path", () => {
  it("a change that fails part-way writes neither its row, nor its audit event, nor an invalidation", async () => {
    const org = await seedOrganization();
    const { db } = await testServer();
    const auditBefore = await db.prisma.auditEvent.count({ where: { organizationId: org.organization.id } });

    let failed: GraphQLResponse | undefined;
    const { applied, notified } = await invalidationsDuring(async () => {
      failed = await gql(CREATE_KEY, { key: org.adminKey, variables: { input: { name: POISON } } });
    });
    expect([failed?.status, failed?.code, failed?.data?.createApiKey ?? null]).toEqual([500, "INTERNAL_SERVER_ERROR", null]);
    expect(failed?.text).not.toMatch(/refused by the test|prisma|stack/i);
    expect(await db.prisma.apiKey.count({ where: { organizationId: org.organization.id, name: POISON } })).toBe(0);
    expect(await db.prisma.auditEvent.count({ where: { organizationId: org.organization.id } })).toBe(auditBefore);
    expect(applied).toEqual([]);
    expect(notified).toEqual([]);

    // The same change with a name the database accepts: the row, its event, and the invalidation, all three.
    const { applied: appliedOk, notified: notifiedOk } = await invalidationsDuring(() =>
      gql(CREATE_KEY, { key: org.adminKey, variables: { input: { name: "fine" } } }),
    );
    expect(await db.prisma.apiKey.count({ where: { organizationId: org.organization.id, name: "fine" } })).toBe(1);
    expect(await db.prisma.auditEvent.count({ where: { organizationId: org.organization.id } })).toBe(auditBefore + 1);
    expect(appliedOk).toHaveLength(1);
    if ((await testServer()).config.databaseUrl) expect(notifiedOk).toHaveLength(1);
  });
});

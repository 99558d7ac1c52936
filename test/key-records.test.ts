// The read behind every cold verification goes through the driver adapter and maps its columns by
// position (server/auth/keyRecords.ts): every column it reads is set here to something other than
// its default and compared with what Prisma Client reads of the same rows, on both databases.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { digestBytes } from "../server/auth/key.ts";
import { keyRecords } from "../server/auth/keyRecords.ts";
import { createKey, seedOrganization } from "./helpers/seed.ts";
import { testServer } from "./helpers/server.ts";

describe("a key's record, read through the driver adapter", () => {
  it("holds what Prisma Client reads of the key, its owner's role, organization and owner", async () => {
    const { db } = await testServer();
    const org = await seedOrganization();
    const { id } = await createKey(org.adminKey, { scopes: ["KEYS_READ", "ORG_READ"] });
    const expiresAt = new Date("2031-05-06T07:08:09.123Z");
    const previousSecretExpiresAt = new Date("2030-01-02T03:04:05.678Z");
    await db.prisma.apiKey.update({
      where: { id },
      data: {
        name: "it's a \"quoted\" name",
        metadata: { plan: "pro", nested: { n: 1, list: [true, null] } },
        permissions: ["invoices:read", "invoices:write"],
        expiresAt,
        previousSecretHash: "ab".repeat(32),
        previousSecretExpiresAt,
        allowedIps: ["10.0.0.0/8", "2001:db8::/32"],
        rateLimit: 7,
        rateLimitWindowSeconds: 60,
        creditsRemaining: 3,
      },
    });
    // External ids are unique: the PostgreSQL run's database outlives a run.
    const [accountId, userId] = [`acct_${randomUUID()}`, `user_${randomUUID()}`];
    await db.prisma.organization.update({ where: { id: org.organization.id }, data: { externalId: accountId, metadata: { tier: 2 } } });
    await db.prisma.user.update({ where: { id: org.user.id }, data: { externalId: userId } });

    const record = await keyRecords(db)(id);
    const row = await db.prisma.apiKey.findUniqueOrThrow({ where: { id }, include: { organization: true, owner: true } });
    expect(record).toMatchObject({
      id,
      name: row.name,
      kind: row.kind,
      environment: row.environment,
      organizationId: row.organizationId,
      ownerId: row.ownerId,
      ownerRole: "ADMIN",
      scopes: row.scopes,
      permissions: row.permissions,
      status: row.status,
      secretHash: digestBytes(row.secretHash),
      previousSecretHash: digestBytes(row.previousSecretHash!),
      previousSecretExpiresAt: previousSecretExpiresAt.getTime(),
      expiresAt: expiresAt.getTime(),
      tenant: {
        organization: { id: org.organization.id, name: row.organization!.name, externalId: accountId, metadata: { tier: 2 } },
        owner: { id: org.user.id, email: row.owner!.email, externalId: userId },
        metadata: row.metadata,
      },
      limits: { rateLimit: { limit: 7, windowSeconds: 60 }, credits: true },
    });
    expect(record!.limits!.allowlist).not.toBeNull();
  });

  it("reads null columns as null, and a key with no limits as having none", async () => {
    const { db } = await testServer();
    const org = await seedOrganization();
    const { id } = await createKey(org.adminKey, { kind: "SERVICE" });
    expect(await keyRecords(db)(id)).toMatchObject({
      kind: "SERVICE",
      ownerRole: null,
      permissions: [],
      previousSecretHash: null,
      previousSecretExpiresAt: null,
      expiresAt: null,
      limits: null,
      tenant: { organization: { id: org.organization.id, externalId: null, metadata: null }, owner: null, metadata: null },
    });
  });

  it("answers null for an id that is no key, and never runs what an id carries", async () => {
    const { db } = await testServer();
    const read = keyRecords(db);
    const org = await seedOrganization();
    const before = await db.prisma.apiKey.count();
    for (const id of ["AAAAAAAAAAAA", "x'); DELETE FROM \"ApiKey\"; --", "' OR '1'='1", "", "é".repeat(12)]) {
      expect(await read(id), id).toBeNull();
    }
    expect(await db.prisma.apiKey.count()).toBe(before);
    expect(await db.prisma.organization.count({ where: { id: org.organization.id } })).toBe(1);
  });
});

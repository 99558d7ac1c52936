import { randomUUID } from "node:crypto";
import { KeyCache } from "../server/auth/cache.ts";
import { KeyChanges } from "../server/auth/changes.ts";
import { generateKey } from "../server/auth/key.ts";
import type { Database } from "../server/db.ts";
import { keylessChange } from "../server/domain/change.ts";
import { createOrganization } from "../server/domain/organizations.ts";
import { issuePlatformKey } from "../server/domain/platformKeys.ts";

export interface Seeded {
  adminKey: string;
  organizationId: string;
}

/** An organization with `count` extra keys, inserted in one statement (the API would take minutes). */
export async function seedLargeOrganization(db: Database, count: number): Promise<Seeded> {
  const created = await createOrganization({ prisma: db.prisma }, { organizationName: "Bench", email: `bench-${Date.now()}@example.com` });
  await db.prisma.$executeRawUnsafe(
    `INSERT INTO "ApiKey" ("id", "organizationId", "kind", "ownerId", "name", "environment", "scopes", "status",
                           "secretHash", "lastFour", "createdAt", "updatedAt")
     SELECT substr(md5(g::text || $3), 1, 12), $1, 'PERSONAL', $2, 'bulk ' || g, 'LIVE', ARRAY['KEYS_READ'], 'ENABLED',
            md5(g::text), 'abcd', now() - make_interval(secs => g), now()
     FROM generate_series(1, $4::int) AS g`,
    created.organization.id,
    created.user.id,
    String(Math.random()),
    count,
  );
  await db.prisma.$executeRawUnsafe(`ANALYZE "ApiKey"`);
  return { adminKey: created.secret, organizationId: created.organization.id };
}

export interface BenchKeys {
  /** The bench organization's admin key (every scope, KEYS_VERIFY included): the caller. */
  adminKey: string;
  /** Another key of the same organization: what the admin key verifies. */
  memberKey: string;
  /** A platform key holding PLATFORM_VERIFY, made as `keyward platform-keys create` makes it. */
  platformKey: string;
  /** One personal key in each of `organizations` other organizations (each with its admin). */
  tenantKeys: string[];
}

/**
 * The bench's data: its own organization and keys, a platform key, and `organizations` more
 * organizations with an admin and a key each, inserted in a few statements (the API would take
 * minutes). Every key is a real one (generated and hashed as Keyward does), so it verifies.
 */
export async function seedBench(db: Database, organizations: number): Promise<BenchKeys> {
  const { prisma } = db;
  const stamp = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const bench = await createOrganization({ prisma }, { organizationName: "Bench", email: `bench-${stamp}@example.com` });
  const member = generateKey("live");
  await prisma.apiKey.create({
    data: {
      id: member.id,
      organizationId: bench.organization.id,
      kind: "SERVICE",
      name: "verified by the bench",
      environment: "LIVE",
      scopes: ["KEYS_READ"],
      secretHash: member.secretHash,
      lastFour: member.lastFour,
    },
  });
  const machine = { ip: null, userAgent: null, organizationId: null, keyId: null, userId: null, via: "cli" as const };
  const { secret: platformKey } = await keylessChange({ prisma, keyChanges: new KeyChanges(new KeyCache()) }, (step) =>
    issuePlatformKey(step, machine, { name: `bench ${stamp}`, scopes: ["PLATFORM_VERIFY"] }, null),
  );

  const tenantKeys: string[] = [];
  const batch = 250;
  for (let start = 0; start < organizations; start += batch) {
    const rows = Array.from({ length: Math.min(batch, organizations - start) }, (_, i) => ({
      n: start + i,
      organization: randomUUID(),
      user: randomUUID(),
      membership: randomUUID(),
      key: generateKey("live"),
    }));
    const values = (f: (r: (typeof rows)[number]) => string) => rows.map(f).join(",\n");
    // Every value is a UUID, a number or base62/hex from generateKey: nothing to escape.
    await prisma.$transaction([
      prisma.$executeRawUnsafe(
        `INSERT INTO "Organization" ("id", "name", "slug") VALUES ${values((r) => `('${r.organization}', 'Tenant ${r.n}', 'tenant-${stamp}-${r.n}')`)}`,
      ),
      prisma.$executeRawUnsafe(`INSERT INTO "User" ("id", "email") VALUES ${values((r) => `('${r.user}', 'tenant-${stamp}-${r.n}@example.com')`)}`),
      prisma.$executeRawUnsafe(
        `INSERT INTO "Membership" ("id", "organizationId", "userId", "role") VALUES ${values((r) => `('${r.membership}', '${r.organization}', '${r.user}', 'ADMIN')`)}`,
      ),
      prisma.$executeRawUnsafe(
        `INSERT INTO "ApiKey" ("id", "organizationId", "kind", "ownerId", "name", "environment", "scopes", "secretHash", "lastFour", "updatedAt")
         VALUES ${values((r) => `('${r.key.id}', '${r.organization}', 'PERSONAL', '${r.user}', 'tenant key', 'LIVE', ARRAY['KEYS_READ'], '${r.key.secretHash}', '${r.key.lastFour}', now())`)}`,
      ),
    ]);
    tenantKeys.push(...rows.map((r) => r.key.key));
  }
  await prisma.$executeRawUnsafe(`ANALYZE`);
  return { adminKey: bench.secret, memberKey: member.key, platformKey, tenantKeys };
}

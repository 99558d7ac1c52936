import { KeyCache } from "../server/auth/cache.ts";
import { Verifier } from "../server/auth/verifier.ts";
import type { Database } from "../server/db.ts";
import { createOrganization } from "../server/domain/organizations.ts";

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

export interface Percentiles {
  p50: number;
  p99: number;
}

export function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

/** `verify` straight from memory (warm) and with the cache emptied before each call (cold: one query). */
export async function verifyLatency(db: Database, key: string, rounds = 2_000): Promise<{ warm: Percentiles; cold: Percentiles }> {
  const cache = new KeyCache();
  const verifier = new Verifier(db.prisma, cache);
  const measure = async (cold: boolean) => {
    const samples: number[] = [];
    for (let i = 0; i < rounds; i++) {
      if (cold) cache.clear();
      const started = performance.now();
      const result = await verifier.verify(key);
      samples.push(performance.now() - started);
      if (!result.ok) throw new Error(`verify failed: ${result.code}`);
    }
    return percentiles(samples);
  };
  await measure(false);
  return { warm: await measure(false), cold: await measure(true) };
}

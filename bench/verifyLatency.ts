// `verify()` timed in a process of its own, which holds what a server holds (the database client
// and the key cache) and none of the bench's own data: the GC pauses it sees are a server's, not
// those of the process that seeded a thousand organizations.
//   node --import tsx bench/verifyLatency.ts <file>   file: { databaseUrl?, dataDir?, keys }; prints ColdVerify as JSON
import { readFileSync } from "node:fs";
import { PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import { KeyCache } from "../server/auth/cache.ts";
import { keyRecords } from "../server/auth/keyRecords.ts";
import { Verifier } from "../server/auth/verifier.ts";
import { openDatabase, type Database } from "../server/db.ts";

export interface Percentiles {
  p50: number;
  p99: number;
}

export function percentiles(samples: number[]): Percentiles & { p90: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

export interface ColdVerify {
  warm: ReturnType<typeof percentiles>;
  cold: ReturnType<typeof percentiles>;
  /** `SELECT $1` as the cold read goes (`Database.byKeyId`, prepared): the floor of that read. */
  roundTrip: ReturnType<typeof percentiles>;
  /** `SELECT 1` through Prisma Client, as every other read goes. */
  clientRoundTrip: ReturnType<typeof percentiles>;
  /** Of the cold samples at or above p99: how many overlapped a garbage collection; the GCs of the whole interleaved run. */
  tail: { samples: number; duringGc: number; gcMs: number; gcCount: number };
}

/**
 * `verify` from memory (warm), with the cache emptied before each call (cold: one query), and
 * after each cold one the bare round trip its read makes (`Database.byKeyId`);
 * then the same through Prisma Client, in this process. The cold tail is attributed: samples over p99
 * that overlapped a GC pause (PerformanceObserver "gc" entries) are counted.
 */
export async function verifyLatency(db: Database, keys: string[], rounds = 2_000): Promise<ColdVerify> {
  const cache = new KeyCache();
  const verifier = new Verifier(keyRecords(db), cache);
  const gcs: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => gcs.push(...list.getEntries()));
  observer.observe({ entryTypes: ["gc"] });
  const spans: Array<[number, number]> = [];
  const bare = db.byKeyId("SELECT $1::text");
  const floor: number[] = [];
  const timed = async (query: () => Promise<unknown>) => {
    const started = performance.now();
    await query();
    return performance.now() - started;
  };
  // With `floors`, each cold verification is followed by the bare round trip its read makes, so
  // both share the same moments of the machine's noise (timed one after the other, they did not).
  // Prisma Client's round trip is timed apart: it allocates more than either, and interleaved it
  // would take the collections that the verifications' allocations bring on.
  const measure = async (cold: boolean, floors = false) => {
    const samples: number[] = [];
    for (let i = 0; i < rounds; i++) {
      if (cold) cache.clear();
      const key = keys[i % keys.length]!;
      const started = performance.now();
      const result = await verifier.verify(key);
      const ended = performance.now();
      samples.push(ended - started);
      if (!result.ok) throw new Error(`verify failed: ${result.code}`);
      if (!floors) continue;
      spans.push([started, ended]);
      floor.push(await timed(() => bare(key.split("_")[2]!)));
    }
    return samples;
  };
  await measure(true);
  // Every key in memory first (the cold runs above leave one).
  await measure(false);
  const warm = percentiles(await measure(false));
  const coldSamples = await measure(true, true);
  const roundTrip = percentiles(floor);
  const client: number[] = [];
  for (let i = 0; i < rounds; i++) client.push(await timed(() => db.prisma.$queryRawUnsafe("SELECT 1")));
  const clientRoundTrip = percentiles(client);
  // GC entries are delivered asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 100));
  observer.disconnect();
  const cold = percentiles(coldSamples);
  const slow = spans.filter(([s, e]) => e - s >= cold.p99);
  const duringGc = slow.filter(([s, e]) => gcs.some((g) => g.startTime < e && g.startTime + g.duration > s)).length;
  const first = spans[0]?.[0] ?? 0;
  const last = spans.at(-1)?.[1] ?? 0;
  const inRun = gcs.filter((g) => g.startTime >= first && g.startTime <= last);
  return {
    warm,
    cold,
    roundTrip,
    clientRoundTrip,
    tail: { samples: slow.length, duringGc, gcMs: inRun.reduce((a, g) => a + g.duration, 0), gcCount: inRun.length },
  };
}

if (process.argv[1] === import.meta.filename && process.argv[2]) {
  const { databaseUrl, dataDir, keys } = JSON.parse(readFileSync(process.argv[2], "utf8")) as { databaseUrl?: string; dataDir?: string; keys: string[] };
  const db = await openDatabase(databaseUrl ? { databaseUrl } : { dataDir });
  try {
    process.stdout.write(JSON.stringify(await verifyLatency(db, keys)) + "\n");
  } finally {
    await db.close();
  }
}

// npm run bench                 Keyward beside a bare graphql-yoga server: throughput, latency, memory, start time
// npm run bench -- --revocation two instances on one PostgreSQL (DATABASE_URL): revoke on one, time until the other refuses
//
// Knobs: BENCH_SECONDS (per load round, default 4), BENCH_ROUNDS (default 5), BENCH_KEYS (organizations
// with a key each, verified by the platform key in turn, default 1,000), BENCH_CONNECTIONS (default 32),
// BENCH_ONLY (run only the scenarios whose name contains it, beside the baseline; targets whose rows did not run are skipped),
// BENCH_IDLE_SECONDS (how long after the load rounds idle RSS is read, default 45).
// DATABASE_URL=postgresql://… benchmarks on PostgreSQL; otherwise on embedded PGlite in a temporary directory.
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../server/db.ts";
import { startKeywardProcess } from "../test/helpers/process.ts";
import { rssMb, runScript, serve, TYPENAME, type Served } from "./processes.ts";
import { seedPolicyKeys } from "./policyKeys.ts";
import { sdkDocument } from "./sdkDocument.ts";
import { seedBench, seedLargeOrganization } from "./seed.ts";
import { percentiles, type ColdVerify } from "./verifyLatency.ts";

const ORGANIZATIONS = Number(process.env.BENCH_KEYS ?? 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 45);
const databaseUrl = process.env.DATABASE_URL || undefined;
const root = join(import.meta.dirname, "..");
const workDir = await mkdtemp(join(tmpdir(), "keyward-bench-"));

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
}

interface Scenario {
  name: string;
  /** `bare`: the bare Yoga server; otherwise Keyward. */
  server: "bare" | "keyward";
  headers: Record<string, string>;
  body?: string;
  /** One body per request, in turn (e.g. a different key to verify each time). */
  bodies?: string[];
}


const verifyBody = (key: string, selection = "valid code scopes") =>
  JSON.stringify({ query: `mutation Verify($key: String!) { verifyApiKey(input: { key: $key }) { ${selection} } }`, variables: { key } });

let loads = 0;

/**
 * RSS once the servers have been idle for IDLE_SECONDS. V8 gives memory back on its own when it
 * sees allocation stop (its memory reducer, measured ~25–30 s after a load on these machines),
 * not within the 2 s after a load: a server's idle footprint is what it holds once that has run.
 */
async function idleRss(keyward: Served, bare: Served, loaded: number): Promise<{ keyward: number; bare: number; givenBackAfterS: number | null }> {
  let givenBackAfterS: number | null = null;
  // Counted from the end of the load: the 2 s figure was read after `settle()`.
  for (let s = 3; s <= IDLE_SECONDS; s++) {
    await settle(1_000);
    if (givenBackAfterS === null && rssMb(keyward.child.pid) < 0.9 * loaded) givenBackAfterS = s;
  }
  return { keyward: rssMb(keyward.child.pid), bare: rssMb(bare.child.pid), givenBackAfterS };
}

/** autocannon in its own process (bench/load.ts); a thousand bodies do not fit in argv, hence the file. */
async function load(url: string, scenario: Scenario): Promise<LoadResult> {
  const spec = { url: `${url}/graphql`, connections: CONNECTIONS, seconds: SECONDS, headers: scenario.headers, body: scenario.body, bodies: scenario.bodies };
  const r = await runScript<LoadResult & { non2xx: number; errors: number }>("load.ts", join(workDir, `load-${loads++}.json`), spec);
  // A benchmark of error responses measures nothing: stop instead of printing it.
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${scenario.name}: ${r.non2xx} non-2xx responses and ${r.errors} errors: the scenario is broken`);
  return r;
}

const settle = (ms = 2_000) => new Promise((r) => setTimeout(r, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (n: number, digits = 0) => n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function httpBench(): Promise<void> {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const [load1, load5] = loadavg();
  console.log(`Keyward benchmark, ${new Date().toISOString().slice(0, 16)}Z, ${cpu} × ${cpus().length}, Node ${process.version}`);
  console.log(`database: ${databaseUrl ? "PostgreSQL" : "embedded PGlite"}; ${fmt(ORGANIZATIONS)} organizations with a key each; load average ${load1!.toFixed(2)} / ${load5!.toFixed(2)} (1 / 5 min)`);
  console.log(`${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s per scenario; rounds alternate the order of the servers, medians reported\n`);

  const dataDir = join(workDir, "data");
  const env: Record<string, string> = {
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATABASE_URL: "", KEYWARD_DATA_DIR: dataDir }),
    NODE_ENV: "production",
    KEYWARD_REQUIRE_HTTPS: "false",
    HOST: "127.0.0.1",
  };
  const servers: Served[] = [];
  try {
    // Seed (and time verify) before the server starts: PGlite allows one process at a time.
    const opening = performance.now();
    const db = await openDatabase(databaseUrl ? { databaseUrl } : { dataDir });
    const openMs = performance.now() - opening;
    process.stdout.write(`seeding ${fmt(ORGANIZATIONS)} organizations… `);
    const keys = await seedBench(db, ORGANIZATIONS);
    console.log("done");
    const policy = await seedPolicyKeys(db);
    await db.close();
    // In a process of its own: see bench/verifyLatency.ts.
    const verify = await runScript<ColdVerify>("verifyLatency.ts", join(workDir, "verify.json"), {
      databaseUrl,
      dataDir,
      keys: keys.tenantKeys.length ? keys.tenantKeys : [keys.memberKey],
    });

    const bare = await serve(["--import", "tsx", "bench/bareYoga.ts"], {});
    const keyward = await serve(["bin/keyward.mjs", "start"], env);
    servers.push(bare, keyward);
    await settle();
    const bootRss = { bare: rssMb(bare.child.pid), keyward: rssMb(keyward.child.pid) };

    const admin = { "x-api-key": keys.adminKey };
    const platform = { "x-api-key": keys.platformKey };
    const baseline: Scenario = { name: "bare graphql-yoga { __typename }", server: "bare", headers: {}, body: TYPENAME };
    // The rows the targets read, named so that adding a row cannot move a target onto another.
    const withKey: Scenario = { name: "{ __typename }, with a key", server: "keyward", headers: admin, body: TYPENAME };
    const orgVerify: Scenario = { name: "verifyApiKey, warm organization key", server: "keyward", headers: admin, body: verifyBody(keys.memberKey) };
    const platformVerify: Scenario = {
      name: `verifyApiKey, platform key, ${fmt(keys.tenantKeys.length)} orgs' keys`,
      server: "keyward",
      headers: platform,
      bodies: keys.tenantKeys.map((key) => verifyBody(key, "valid code scopes organization { id }")),
    };
    // Key policies: the same verification of a key with no policy and of a key carrying a rate
    // limit and credits (both too high to refuse), so every check runs and none refuses.
    // The same field asking for a column only the key's row holds: one database read per request.
    const databaseRead: Scenario = {
      name: "viewer { apiKey { id createdAt } }, with a key (one database read)",
      server: "keyward",
      headers: admin,
      body: JSON.stringify({ query: "{ viewer { apiKey { id createdAt } } }" }),
    };
    const plainKey: Scenario = { name: "verifyApiKey, key with no policy", server: "keyward", headers: { "x-api-key": policy.verifierKey }, body: verifyBody(policy.plainKey) };
    const policyKey: Scenario = { name: "verifyApiKey, rate-limited key with credits", server: "keyward", headers: { "x-api-key": policy.verifierKey }, body: verifyBody(policy.policyKey) };
    const scenarios: Scenario[] = [
      { name: "{ __typename }, no key", server: "keyward", headers: {}, body: TYPENAME },
      withKey,
      { name: "viewer { apiKey { id } }, with a key (from memory)", server: "keyward", headers: admin, body: JSON.stringify({ query: "{ viewer { apiKey { id } } }" }) },
      databaseRead,
      orgVerify,
      platformVerify,
      // What an integrator's every call sends: the SDK's own VerifyApiKey document (verifyRequest).
      {
        name: "verifyApiKey as the SDK sends it (verifyRequest)",
        server: "keyward",
        headers: admin,
        body: JSON.stringify({ query: sdkDocument("VerifyApiKey"), variables: { input: { key: keys.memberKey } } }),
      },
      plainKey,
      policyKey,
    ];
    const only = process.env.BENCH_ONLY;
    const all = [baseline, ...scenarios.filter((s) => !only || s.name.includes(only))];
    const urlOf = (s: Scenario) => (s.server === "bare" ? bare.url : keyward.url);

    // Warm-up: code paths, the parse/validate caches, and every verified key in Keyward's memory.
    process.stdout.write("warming up… ");
    for (const s of all) await load(urlOf(s), { ...s, name: `${s.name} (warm-up)` });
    console.log("done\n");

    const results = new Map<Scenario, LoadResult[]>(all.map((s) => [s, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? [...all].reverse() : all;
      for (const s of order) results.get(s)!.push(await load(urlOf(s), s));
    }
    await settle();
    const loadedRss = { bare: rssMb(bare.child.pid), keyward: rssMb(keyward.child.pid) };
    const idle = await idleRss(keyward, bare, loadedRss.keyward);

    const base = results.get(baseline)!;
    const baseP99 = median(base.map((r) => r.p99));
    console.log(`| server / scenario | requests/s | ratio to bare Yoga (rounds' range) | p50 ms | p99 ms (bare Yoga's) | p99 ratio (rounds' range) |`);
    console.log(`|---|---:|---:|---:|---:|---:|`);
    const summary = new Map<Scenario, { rps: number; ratio: number; p50: number; p99: number; p99Ratio: number }>();
    for (const s of all) {
      const runs = results.get(s)!;
      // Each round's ratio shares that moment's noise with its baseline; their median is reported.
      const ratios = runs.map((r, i) => r.rps / base[i]!.rps);
      const p99Ratios = runs.map((r, i) => r.p99 / base[i]!.p99);
      const ratio = median(ratios);
      const p99Ratio = median(p99Ratios);
      const row = { rps: median(runs.map((r) => r.rps)), ratio, p50: median(runs.map((r) => r.p50)), p99: median(runs.map((r) => r.p99)), p99Ratio };
      summary.set(s, row);
      const name = s.server === "bare" ? s.name : `Keyward, ${s.name}`;
      // The rounds' spread beside the median, so one noisy round shows as noise.
      const range = (values: number[]) => (s.server === "bare" ? "" : ` (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})`);
      console.log(`| ${name} | ${fmt(row.rps)} | ${row.ratio.toFixed(2)}${range(ratios)} | ${row.p50} | ${row.p99} (${baseP99}) | ${row.p99Ratio.toFixed(2)}${range(p99Ratios)} |`);
    }

    const db2 = databaseUrl ? "PostgreSQL" : "PGlite";
    console.log(`\n| footprint (${db2}) | Keyward | bare Yoga |`);
    console.log(`|---|---:|---:|`);
    console.log(`| idle RSS after boot | ${fmt(bootRss.keyward)} MB | ${fmt(bootRss.bare)} MB |`);
    console.log(`| RSS 2 s after the load rounds | ${fmt(loadedRss.keyward)} MB | ${fmt(loadedRss.bare)} MB |`);
    const given = idle.givenBackAfterS === null ? "not given back" : `given back ${idle.givenBackAfterS} s after the load`;
    console.log(`| idle RSS ${IDLE_SECONDS} s after the load rounds | ${fmt(idle.keyward)} MB (${given}) | ${fmt(idle.bare)} MB |`);
    console.log(`| start to first answer | ${fmt(keyward.startMs)} ms${databaseUrl ? "" : " (reopen)"} | ${fmt(bare.startMs)} ms |`);
    if (!databaseUrl) console.log(`| creating the database (initdb + migrations, in the bench process) | ${fmt(openMs)} ms | |`);

    const c = verify.cold;
    console.log(`\nverify() in a process of its own (bench/verifyLatency.ts): warm p50 ${verify.warm.p50.toFixed(4)} ms, p99 ${verify.warm.p99.toFixed(4)} ms`);
    console.log(`verify cold (cache emptied before each, one query): p50 ${c.p50.toFixed(3)}, p90 ${c.p90.toFixed(3)}, p99 ${c.p99.toFixed(3)}, max ${c.max.toFixed(2)} ms`);
    console.log(
      `  the floor, timed after each cold one: SELECT $1 prepared, as the cold read goes (PostgreSQL: the driver adapter; PGlite: exec): p50 ${verify.roundTrip.p50.toFixed(3)}, p99 ${verify.roundTrip.p99.toFixed(3)} ms; ` +
        `through Prisma Client (timed apart): p50 ${verify.clientRoundTrip.p50.toFixed(3)}, p99 ${verify.clientRoundTrip.p99.toFixed(3)} ms;\n  ` +
        `the tail: ${verify.tail.duringGc} of the ${verify.tail.samples} samples ≥ p99 overlapped a GC pause (${verify.tail.gcCount} GCs, ${verify.tail.gcMs.toFixed(1)} ms in the cold run, its round trips included)`,
    );

    const check = (ok: boolean) => (ok ? "met" : "NOT met");
    // Every row answered from memory; a row that waits on the database each request is reported
    // beside it: the row reading a key's column, and on PostgreSQL the key whose every use is
    // counted by a statement there (rate limit and credits shared by every instance).
    const databaseRows = databaseUrl ? [databaseRead, policyKey] : [databaseRead];
    const ran = [...summary.keys()].filter((s) => s !== baseline && !databaseRows.includes(s));
    const worst = ran.reduce((a, b) => (summary.get(b)!.p99Ratio > summary.get(a)!.p99Ratio ? b : a));
    const worstRatio = summary.get(worst)!.p99Ratio;
    const rssTarget = databaseUrl ? 150 : 350;
    const startTarget = databaseUrl ? 1_000 : 2_000;
    console.log(`\ntargets:`);
    const withKeyRatio = summary.get(withKey)?.ratio;
    if (withKeyRatio !== undefined) console.log(`  with a key ≥ 0.8 of bare Yoga: ${withKeyRatio.toFixed(2)} — ${check(withKeyRatio >= 0.8)}`);
    const verifyRatios = [summary.get(orgVerify)?.ratio, summary.get(platformVerify)?.ratio].filter((r) => r !== undefined);
    if (verifyRatios.length) {
      const verifyRatio = Math.min(...verifyRatios);
      console.log(`  verifyApiKey ≥ 0.7 (the lower of the two): ${verifyRatio.toFixed(2)} — ${check(verifyRatio >= 0.7)}`);
    }
    console.log(`  p99 ≤ 1.5 × bare Yoga's, in the same round (median of the rounds): worst ${worstRatio.toFixed(2)}× (${worst.name}) — ${check(worstRatio <= 1.5)}`);
    for (const s of databaseRows) {
      const row = summary.get(s);
      if (row) console.log(`    (not a target, waits on the database on every request: ${s.name}, p99 ${row.p99Ratio.toFixed(2)}×)`);
    }
    const idleMax = Math.max(bootRss.keyward, idle.keyward);
    console.log(`  idle RSS ≤ ${rssTarget} MB (after boot, and ${IDLE_SECONDS} s after the load): ${fmt(idleMax)} MB — ${check(idleMax <= rssTarget)}`);
    console.log(`  start to first answer < ${fmt(startTarget)} ms: ${fmt(keyward.startMs)} ms — ${check(keyward.startMs < startTarget)}`);
    console.log(`  cold verify p99 < 2 ms: ${c.p99.toFixed(2)} ms — ${check(c.p99 < 2)}`);
    // Issue 15: a key's own limits cost little beside a key with none (median of per-round ratios).
    const [plainRuns, policyRuns] = [results.get(plainKey), results.get(policyKey)];
    if (plainRuns && policyRuns) {
      const policyRatio = median(policyRuns.map((r, i) => r.rps / plainRuns[i]!.rps));
      console.log(`  verifyApiKey of a rate-limited key with credits ≥ 0.8 of a key with no policy: ${policyRatio.toFixed(2)} — ${check(policyRatio >= 0.8)}`);
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await rm(workDir, { recursive: true, force: true });
  }
}

async function revocationBench(): Promise<void> {
  if (!databaseUrl) throw new Error("--revocation needs DATABASE_URL=postgresql://… (two instances share one PostgreSQL)");
  const db = await openDatabase({ databaseUrl });
  const seeded = await seedLargeOrganization(db, 0);
  await db.close();
  const env = { DATABASE_URL: databaseUrl, NODE_ENV: "production", KEYWARD_REQUIRE_HTTPS: "false", HOST: "127.0.0.1", KEYWARD_LOG_LEVEL: "warn" };
  const [a, b] = await Promise.all([startKeywardProcess(env), startKeywardProcess(env)]);
  const post = async (url: string, key: string, query: string, variables?: unknown) => {
    const response = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  try {
    const samples: number[] = [];
    for (let i = 0; i < 100; i++) {
      const created = await post(a.url, seeded.adminKey, `mutation { createApiKey(input: { name: "r${i}" }) { apiKey { id } secret } }`);
      const { apiKey, secret } = created.body.data.createApiKey;
      if ((await post(b.url, secret, `{ __typename }`)).status !== 200) throw new Error("key not accepted on B");
      await post(a.url, seeded.adminKey, `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { __typename } }`, { id: apiKey.id });
      const acknowledged = performance.now();
      while ((await post(b.url, secret, `{ __typename }`)).status === 200) {
        if (performance.now() - acknowledged > 5_000) throw new Error("B still accepts the key after 5 s");
      }
      samples.push(performance.now() - acknowledged);
    }
    const { p50, p99 } = percentiles(samples);
    console.log(`revocation on A → refused on B, over 100 revocations: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms   (target p99 < 100 ms)`);
    console.log("(measured from A's acknowledgement to B's first refusal; B is polled back to back)");
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}

await (process.argv.includes("--revocation") ? revocationBench() : httpBench());

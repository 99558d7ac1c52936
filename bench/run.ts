// npm run bench                 HTTP throughput and latency side by side, and verify() latency
// npm run bench -- --revocation two instances on one PostgreSQL (DATABASE_URL): revoke on one, time until the other refuses
import { spawn } from "node:child_process";
import { cpus } from "node:os";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../server/db.ts";
import { startKeywardProcess, type RunningKeyward } from "../test/helpers/process.ts";
import { percentiles, seedLargeOrganization, verifyLatency } from "./seed.ts";

const KEYS = Number(process.env.BENCH_KEYS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const databaseUrl = process.env.DATABASE_URL;

function header(): void {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  console.log(`Keyward benchmark, ${new Date().toISOString().slice(0, 10)}, ${cpu} × ${cpus().length}, Node ${process.version}`);
  console.log(`database: ${databaseUrl ? "PostgreSQL" : "embedded PGlite"}; ${KEYS.toLocaleString("en")} keys in the organization\n`);
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

/** autocannon in its own process, so the load generator does not share an event loop with anything. */
function load(url: string, body: string, headers: Record<string, string>, connections = 10): Promise<LoadResult> {
  const args = ["-j", "-c", String(connections), "-d", String(SECONDS), "-m", "POST", "-b", body, "-H", "content-type=application/json"];
  for (const [k, v] of Object.entries(headers)) args.push("-H", `${k}=${v}`);
  return new Promise((resolve, reject) => {
    const child = spawn("node_modules/.bin/autocannon", [...args, `${url}/graphql`], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}`));
      const r = JSON.parse(out);
      // A benchmark of error responses measures nothing: stop instead of printing it.
      if (r.non2xx > 0 || r.errors > 0) return reject(new Error(`${r.non2xx} non-2xx responses and ${r.errors} errors: the scenario is broken`));
      resolve({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx });
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function httpBench(): Promise<void> {
  header();
  const dir = await mkdtemp(join(tmpdir(), "keyward-bench-"));
  const env: Record<string, string> = databaseUrl
    ? { DATABASE_URL: databaseUrl }
    : { DATABASE_URL: "", KEYWARD_DATA_DIR: join(dir, "data") };
  let server: RunningKeyward | undefined;
  try {
    // Seed (and measure verify) before the server starts: PGlite allows one process at a time.
    const db = await openDatabase(databaseUrl ? { databaseUrl } : { dataDir: env.KEYWARD_DATA_DIR });
    process.stdout.write(`seeding ${KEYS.toLocaleString("en")} keys… `);
    const seeded = await seedLargeOrganization(db, KEYS);
    console.log("done");
    const verify = await verifyLatency(db, seeded.adminKey);
    await db.close();

    server = await startKeywardProcess({ ...env, NODE_ENV: "production", KEYWARD_REQUIRE_HTTPS: "false", HOST: "127.0.0.1", KEYWARD_LOG_LEVEL: "warn" });
    const key = { "x-api-key": seeded.adminKey };
    const scenarios: Array<{ name: string; body: string; headers: Record<string, string>; connections?: number }> = [
      { name: "anonymous { __typename }", body: `{"query":"{ __typename }"}`, headers: {} },
      { name: "authenticated { __typename }", body: `{"query":"{ __typename }"}`, headers: key },
      { name: "viewer", body: `{"query":"{ viewer { scopes apiKey { id name } } }"}`, headers: key },
      {
        name: `apiKeys(first: 20) of ${KEYS.toLocaleString("en")}`,
        body: `{"query":"{ apiKeys(first: 20) { edges { node { id name maskedKey lastUsedAt } } } }"}`,
        headers: key,
      },
      {
        // The same page with one connection: the query's own latency, without queueing behind nine others.
        name: `apiKeys(first: 20), 1 connection`,
        body: `{"query":"{ apiKeys(first: 20) { edges { node { id name maskedKey lastUsedAt } } } }"}`,
        headers: key,
        connections: 1,
      },
    ];
    const results = new Map<string, LoadResult[]>(scenarios.map((s) => [s.name, []]));
    await load(server.url, scenarios[0]!.body, {}); // warm-up
    // Rounds interleave the scenarios, so machine noise hits them alike; medians are reported.
    for (let round = 0; round < ROUNDS; round++) {
      // Which of the pair goes first alternates, so neither always gets the warmer machine.
      const order = round % 2 ? [scenarios[1]!, scenarios[0]!, ...scenarios.slice(2)] : scenarios;
      for (const s of order) results.get(s.name)!.push(await load(server.url, s.body, s.headers, s.connections));
    }
    console.log(`\n${"scenario".padEnd(34)}${"req/s".padStart(9)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}  (median of ${ROUNDS} rounds of ${SECONDS} s; 10 connections unless said)`);
    const summary = new Map<string, LoadResult>();
    for (const s of scenarios) {
      const runs = results.get(s.name)!;
      const r = { rps: median(runs.map((x) => x.rps)), p50: median(runs.map((x) => x.p50)), p99: median(runs.map((x) => x.p99)), non2xx: runs.reduce((a, x) => a + x.non2xx, 0) };
      summary.set(s.name, r);
      console.log(`${s.name.padEnd(34)}${r.rps.toFixed(0).padStart(9)}${String(r.p50).padStart(9)}${String(r.p99).padStart(9)}${r.non2xx ? `  (${r.non2xx} non-2xx!)` : ""}`);
    }
    // Each round ran anonymous and authenticated back to back: their ratio shares that moment's
    // noise. The median of the per-round ratios, and their range, say more than a ratio of medians.
    const anonymous = results.get(scenarios[0]!.name)!;
    const ratios = results.get(scenarios[1]!.name)!.map((r, i) => r.rps / anonymous[i]!.rps);
    const ratio = median(ratios);
    const list = summary.get(scenarios[3]!.name)!;
    const listAlone = summary.get(scenarios[4]!.name)!;
    console.log(
      `\nauthenticated / anonymous throughput: ${ratio.toFixed(3)} (median of ${ROUNDS} paired rounds; range ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})   (target ≥ 0.95)`,
    );
    console.log(`apiKeys first page p99: ${listAlone.p99} ms alone, ${list.p99} ms among 10 connections   (target < 20 ms)`);
    console.log(`verify warm: p50 ${verify.warm.p50.toFixed(4)} ms, p99 ${verify.warm.p99.toFixed(4)} ms   (target p99 < 0.1 ms)`);
    console.log(`verify cold: p50 ${verify.cold.p50.toFixed(3)} ms, p99 ${verify.cold.p99.toFixed(3)} ms   (target < 2 ms)`);
  } finally {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function revocationBench(): Promise<void> {
  if (!databaseUrl) throw new Error("--revocation needs DATABASE_URL=postgresql://… (two instances share one PostgreSQL)");
  header();
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

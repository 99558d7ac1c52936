// One load round, in its own process (so the load generator shares no event loop with anything):
// autocannon with a fixed body, or a set of bodies sent in turn (e.g. a different key to verify each time).
// Input: a JSON file named by the first argument (url, connections, seconds, headers, body | bodies).
// Output: one JSON line { rps, p50, p99, non2xx, errors }.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

interface LoadSpec {
  url: string;
  connections: number;
  seconds: number;
  headers: Record<string, string>;
  body?: string;
  bodies?: string[];
}

const spec = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as LoadSpec;
const bodies = spec.bodies ?? [];
// A list of requests, each built once; autocannon sends them in turn on every connection.
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.seconds,
  method: "POST" as const,
  headers: { "content-type": "application/json", ...spec.headers },
  ...(bodies.length ? { requests: bodies.map((body) => ({ method: "POST" as const, body })) } : { body: spec.body ?? "" }),
});
process.stdout.write(
  JSON.stringify({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors }) + "\n",
);

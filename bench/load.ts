// One load round, in its own process (so the load generator shares no event loop with anything):
// autocannon with a fixed body, or a rotating set of bodies (one per request, in turn).
// Input: the LOAD environment variable (JSON: url, connections, seconds, headers, body | bodies).
// Output: one JSON line { rps, p50, p99, non2xx, errors }.
import autocannon, { type Request } from "autocannon";

interface LoadSpec {
  url: string;
  connections: number;
  seconds: number;
  headers: Record<string, string>;
  body?: string;
  bodies?: string[];
}

const spec = JSON.parse(process.env.LOAD ?? "{}") as LoadSpec;
const bodies = spec.bodies ?? [];
let next = 0;
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.seconds,
  method: "POST" as const,
  headers: { "content-type": "application/json", ...spec.headers },
  ...(bodies.length
    ? { requests: [{ method: "POST" as const, setupRequest: (request: Request): Request => ({ ...request, body: bodies[next++ % bodies.length]! }) }] }
    : { body: spec.body ?? "" }),
});
process.stdout.write(
  JSON.stringify({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors }) + "\n",
);

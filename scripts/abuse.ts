// Throws abusive requests at a running Keyward and checks that each gets its own refusal (status
// and error code), and that a valid key is served before the first and after every burst.
//   KEYWARD_URL=http://localhost:4000/graphql KEYWARD_KEY=kw_live_… npm run abuse
// KEYWARD_URL is the GraphQL endpoint, as for the `keyward` command; the bare origin works too.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

const origin = (process.env.KEYWARD_URL ?? `http://localhost:${process.env.PORT ?? 4000}`).replace(/\/+$/, "").replace(/\/graphql$/, "").replace(/\/+$/, "");
const url = `${origin}/graphql`;
const key = process.env.KEYWARD_KEY;
if (!key) {
  console.error("Set KEYWARD_KEY to a valid key (and KEYWARD_URL if not http://localhost:4000/graphql).");
  process.exit(2);
}

interface Outcome {
  status: number;
  code?: string;
  /** graphql-js gives every document error a source location; GraphQL Armor's refusals have none. */
  located?: boolean;
  rows?: number;
  retryAfter?: string | null;
  viewer?: boolean;
}

interface Body {
  data?: { viewer?: { scopes?: unknown }; apiKeys?: { edges?: unknown[] } } | null;
  errors?: Array<{ extensions?: { code?: string }; locations?: unknown[] }>;
}

function outcome(status: number, retryAfter: string | null, text: string): Outcome {
  let parsed: Body = {};
  try {
    parsed = JSON.parse(text) as Body;
  } catch {
    // Not JSON: the status alone tells.
  }
  const error = parsed.errors?.[0];
  return {
    status,
    code: error?.extensions?.code,
    located: Boolean(error?.locations?.length),
    rows: parsed.data?.apiKeys?.edges?.length,
    retryAfter,
    viewer: Array.isArray(parsed.data?.viewer?.scopes),
  };
}

async function send(body: string, headers: Record<string, string> = {}, method = "POST", target = url): Promise<Outcome> {
  const response = await fetch(target, { method, headers: { "content-type": "application/json", ...headers }, body: method === "GET" ? undefined : body });
  return outcome(response.status, response.headers.get("retry-after"), await response.text());
}

/**
 * Offers a huge body as a client would: headers first, the body only if Keyward waits for it.
 * Keyward refuses it from its Content-Length, before reading, and closes the connection; a
 * client already writing megabytes would see that close (EPIPE), not the answer it was given.
 */
function sendHuge(bytes: number, headers: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = (target.protocol === "https:" ? httpsRequest : httpRequest)(target, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(bytes), ...headers },
    });
    let answered = false;
    // Only if Keyward has not answered from the headers alone.
    const bodyLater = setTimeout(() => {
      const pad = `{"query":"{ __typename }","pad":"`;
      request.end(Buffer.concat([Buffer.from(pad), Buffer.alloc(bytes - pad.length - 2, "x"), Buffer.from(`"}`)]));
    }, 2_000);
    request.on("response", (response) => {
      answered = true;
      clearTimeout(bodyLater);
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => {
        resolve(outcome(response.statusCode ?? 0, response.headers["retry-after"] ?? null, text));
        request.destroy();
      });
      response.on("error", reject);
    });
    request.on("error", (error) => {
      clearTimeout(bodyLater);
      if (!answered) reject(error);
    });
    request.flushHeaders();
  });
}

const query = (q: string) => JSON.stringify({ query: q });
const withKey = { "x-api-key": key };
const unreachable = (e: Error): Outcome => ({ status: 0, code: (e.cause as Error | undefined)?.message ?? e.message });
const valid = () => send(query(`{ viewer { scopes } }`), withKey).catch(unreachable);
const served = (o: Outcome) => o.status === 200 && o.code === undefined && o.viewer === true;

interface Expected {
  status: number;
  code: string | null;
  /** What else the answer must show, and how to tell. */
  also?: [string, (o: Outcome) => boolean];
}
/** A refusal from GraphQL Armor itself, before graphql-js looks at a single field. */
const armor: Expected = { status: 200, code: "BAD_USER_INPUT", also: ["before field validation", (o) => o.located === false] };

// Keyward's schema is only a few fields deep (5 at most), so no valid document passes the limit of 10: this one
// nests a real field beyond where the schema allows, most of it in a fragment (fragments count,
// flattened). graphql-js would refuse it too, with a location; the depth limit refuses it first.
const overDepth = `query { viewer { apiKey { ...Deep } } } fragment Deep on ApiKey { ${"createdBy { ".repeat(9)}id${" }".repeat(9)} }`;
const everyField = `edges { node { id name kind environment status scopes maskedKey createdAt expiresAt lastUsedAt usedInLast24Hours owner { id email } createdBy { id email } } }`;

const abuses: Array<[string, () => Promise<Outcome>, ...Expected[]]> = [
  ["alias bomb (500 aliases)", () => send(query(`{ ${Array.from({ length: 500 }, (_, i) => `a${i}: viewer { scopes }`).join(" ")} }`), withKey), armor],
  ["over-depth query (12, in a fragment)", () => send(query(overDepth), withKey), armor],
  ["too many directives (11)", () => send(query(`{ viewer { ${"scopes @include(if: true) ".repeat(11)}} }`), withKey), armor],
  ["token flood (2,500 tokens)", () => send(query(`{ ${"__typename ".repeat(2_500)}}`), withKey), armor],
  ["page size of a million", () => send(query(`{ apiKeys(first: 1000000) { edges { node { id } } } }`), withKey), { status: 200, code: null, also: ["at most 100 rows", (o) => o.rows !== undefined && o.rows <= 100] }],
  ["15 pages of a million, every field", () => send(query(`{ ${Array.from({ length: 15 }, (_, i) => `p${i}: apiKeys(first: 1000000) { ${everyField} }`).join(" ")} }`), withKey), { status: 200, code: "BAD_USER_INPUT" }],
  ["20 MB body", () => sendHuge(20 * 1024 * 1024, withKey), { status: 413, code: "BAD_USER_INPUT" }],
  ["text/plain POST (CSRF)", () => send(query(`{ __typename }`), { "content-type": "text/plain" }), { status: 403, code: "BAD_USER_INPUT" }],
  ["mutation over GET", () => send("", withKey, "GET", `${url}?query=${encodeURIComponent("mutation { __typename }")}`), { status: 405, code: "BAD_USER_INPUT" }],
  // A key in the URL counts as a failed authentication: a client throttled by an earlier run gets 429.
  ["key in the URL", () => send(query(`{ viewer { scopes } }`), {}, "POST", `${url}?api_key=${key}`), { status: 401, code: "UNAUTHENTICATED" }, { status: 429, code: "RATE_LIMITED" }],
];

const shown = (e: Expected) => `${e.status} ${e.code ?? "(no error)"}${e.also ? `, ${e.also[0]}` : ""}`;
const matches = (o: Outcome, e: Expected) => o.status === e.status && (o.code ?? null) === e.code && (!e.also || e.also[1](o));
let failed = 0;
async function check(name: string, run: () => Promise<Outcome>, expected: Expected[]) {
  const outcome = await run().catch(unreachable);
  const meanwhile = await valid();
  const good = expected.some((e) => matches(outcome, e)) && served(meanwhile);
  if (!good) failed++;
  const wanted = good ? "" : `   expected ${expected.map(shown).join(" or ")}; valid key served`;
  console.log(`${good ? "ok  " : "FAIL"} ${name.padEnd(38)} → ${outcome.status} ${outcome.code ?? "(no error)"}${outcome.rows === undefined ? "" : `, ${outcome.rows} row(s)`}   (valid key meanwhile: ${meanwhile.status}${served(meanwhile) ? "" : ` ${meanwhile.code ?? "no viewer"}`})${wanted}`);
}

const before = await valid();
if (!served(before)) {
  console.error(`The valid key is not served at ${url} (${before.status}${before.code ? ` ${before.code}` : ""}); check KEYWARD_URL and KEYWARD_KEY.`);
  process.exit(2);
}
console.log(`Keyward at ${url}; the valid key is served.\n`);
for (const [name, run, ...expected] of abuses) await check(name, run, expected);

// Wrong keys in bursts of 10: each refused (401, or 429 once this client is throttled), the valid key checked after each.
const refusedKey = (o: Outcome) => (o.status === 401 && o.code === "UNAUTHENTICATED") || (o.status === 429 && o.code === "RATE_LIMITED");
for (let burst = 0; burst < 4; burst++) {
  await check(`wrong keys ${burst * 10 + 1}–${burst * 10 + 10}`, async () => {
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 10; i++) outcomes.push(await send(query(`{ viewer { scopes } }`), { "x-api-key": `kw_live_wrong${burst}${i}` }));
    return outcomes.find((o) => !refusedKey(o)) ?? outcomes.at(-1)!;
  }, [{ status: 401, code: "UNAUTHENTICATED" }, { status: 429, code: "RATE_LIMITED" }]);
}
await check("one more wrong key", () => send(query(`{ viewer { scopes } }`), { "x-api-key": "kw_live_wrong" }), [
  { status: 429, code: "RATE_LIMITED", also: ["with Retry-After", (o) => Number(o.retryAfter) > 0] },
]);

console.log(failed === 0 ? "\nEvery abuse got its refusal and the valid key was served throughout." : `\n${failed} check(s) failed.`);
process.exit(failed === 0 ? 0 : 1);

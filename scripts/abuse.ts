// Throws abusive requests at a running Keyward and checks that each is refused while a valid
// key keeps being served throughout.
//   KEYWARD_URL=http://localhost:4000 KEYWARD_KEY=kw_live_… npm run abuse
const url = (process.env.KEYWARD_URL ?? "http://localhost:4000").replace(/\/$/, "") + "/graphql";
const key = process.env.KEYWARD_KEY;
if (!key) {
  console.error("Set KEYWARD_KEY to a valid key (and KEYWARD_URL if not http://localhost:4000).");
  process.exit(2);
}

interface Outcome {
  status: number;
  code?: string;
}

async function send(body: BodyInit, headers: Record<string, string> = {}, method = "POST", target = url): Promise<Outcome> {
  const response = await fetch(target, { method, headers: { "content-type": "application/json", ...headers }, body: method === "GET" ? undefined : body });
  const text = await response.text();
  let code: string | undefined;
  try {
    code = JSON.parse(text).errors?.[0]?.extensions?.code;
  } catch {
    code = undefined;
  }
  return { status: response.status, code };
}
const query = (q: string) => JSON.stringify({ query: q });
let nest = "name";
for (let i = 0; i < 14; i++) nest = `ofType { ${nest} }`;

const abuses: Array<[string, () => Promise<Outcome>, (o: Outcome) => boolean]> = [
  ["deep introspection query", () => send(query(`{ __schema { types { fields { type { ${nest} } } } } }`), { "x-api-key": key }), (o) => o.status < 500],
  ["alias bomb (500 aliases)", () => send(query(`{ ${Array.from({ length: 500 }, (_, i) => `a${i}: viewer { scopes }`).join(" ")} }`), { "x-api-key": key }), (o) => o.code === "BAD_USER_INPUT"],
  ["20 MB body", () => send(`{"query":"{ __typename }","pad":"${"x".repeat(20 * 1024 * 1024)}"}`, { "x-api-key": key }), (o) => o.status === 413],
  ["text/plain POST (CSRF)", () => send(query(`{ __typename }`), { "content-type": "text/plain" }), (o) => o.status === 403],
  ["mutation over GET", () => send("", { "x-api-key": key }, "GET", `${url}?query=${encodeURIComponent("mutation { __typename }")}`), (o) => o.status === 405],
  ["key in the URL", () => send(query(`{ viewer { scopes } }`), {}, "POST", `${url}?api_key=${key}`), (o) => o.status === 401],
  ["page size of a million", () => send(query(`{ apiKeys(first: 1000000) { edges { node { id } } } }`), { "x-api-key": key }), (o) => o.code === "BAD_USER_INPUT"],
];

let failed = 0;
const check = async (name: string, run: () => Promise<Outcome>, ok: (o: Outcome) => boolean) => {
  const outcome = await run().catch((e: Error) => ({ status: 0, code: e.message }));
  const valid = await send(query(`{ viewer { scopes } }`), { "x-api-key": key });
  const good = ok(outcome) && valid.status === 200;
  if (!good) failed++;
  console.log(`${good ? "ok  " : "FAIL"} ${name.padEnd(36)} → ${outcome.status} ${outcome.code ?? ""}   (valid key meanwhile: ${valid.status})`);
};
for (const [name, run, ok] of abuses) await check(name, run, ok);
for (let i = 0; i < 40; i++) await send(query(`{ viewer { scopes } }`), { "x-api-key": `kw_live_wrong${i}` });
await check("wrong keys in a loop (40), then one more", () => send(query(`{ viewer { scopes } }`), { "x-api-key": "kw_live_wrong" }), (o) => o.status === 429);
console.log(failed === 0 ? "\nEvery abuse was refused and the valid key was served throughout." : `\n${failed} check(s) failed.`);
process.exit(failed === 0 ? 0 : 1);

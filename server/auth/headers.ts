import { containsSecret } from "./key.ts";

/**
 * Finds the API key a request presents. Exactly one key per request, in one of:
 * `X-API-Key: <key>`, `Authorization: Bearer <key>`, `Authorization: Api-Key <key>`
 * (the same key in two headers is fine; two different keys are refused).
 * Keys in the URL are refused except where the caller allows them (the MCP endpoint).
 */
export type PresentedKey =
  | { kind: "none" }
  | { kind: "key"; key: string }
  | { kind: "invalid"; message: string };

const MAX_HEADER_LENGTH = 512;
const AUTHORIZATION = /^(bearer|api-key)[ \t]+(\S+)[ \t]*$/i;

export function presentedKey(request: Request, { allowQuery = false } = {}): PresentedKey {
  const found: string[] = [];

  const header = request.headers.get("x-api-key");
  if (header !== null) {
    if (header.length > MAX_HEADER_LENGTH) return invalid("The X-API-Key header is too long.");
    // An empty X-API-Key (GraphiQL's placeholder) is no key, not a wrong one.
    if (header.trim() !== "") found.push(header.trim());
  }

  const authorization = request.headers.get("authorization");
  if (authorization !== null) {
    if (authorization.length > MAX_HEADER_LENGTH) return invalid("The Authorization header is too long.");
    const match = AUTHORIZATION.exec(authorization.trim());
    if (!match) return invalid('Use "Authorization: Bearer <key>" or "Authorization: Api-Key <key>".');
    found.push(match[2]!);
  }

  const query = request.url.includes("api_key") ? new URL(request.url).searchParams.getAll("api_key") : [];
  if (query.length > 0) {
    if (!allowQuery) return invalid("API keys in the URL are refused here; send the key in a header.");
    found.push(...query);
  }

  const distinct = new Set(found);
  if (distinct.size > 1) return invalid("The request carries two different API keys; send exactly one.");
  const [key] = distinct;
  if (key === undefined) return { kind: "none" };
  if (key === "") return invalid("The API key is empty.");
  return { kind: "key", key };
}

function invalid(message: string): PresentedKey {
  return { kind: "invalid", message };
}

/**
 * Whether a request-target (`/path?query`) holds a Keyward key or invitation code anywhere:
 * under any parameter name, as a name, in the path, in any case or percent-encoding. Such a
 * URL is refused whole (401), before anything answers, logs or measures it: URLs end up in
 * proxy logs, browser history and referrers. On `/mcp`, `api_key=` itself is allowed (connector
 * URLs need it; `presentedKey` reads it), and only under that exact name.
 */
export function keyInUrl(target: string, { allowApiKeyParam = false } = {}): boolean {
  const mark = target.indexOf("?");
  let query = mark === -1 ? "" : target.slice(mark + 1);
  if (allowApiKeyParam) query = query.split("&").filter((pair) => !pair.startsWith("api_key=")).join("&");
  const decoded = percentDecoded(mark === -1 ? target : `${target.slice(0, mark)}?${query}`);
  // Still encoded after that many rounds: no client writes that; only a way around this check.
  return decoded === null || containsSecret(decoded.toLowerCase());
}

const PERCENT = /%([0-9A-Fa-f]{2})/g;
const MAX_DECODING_ROUNDS = 4;

/** Percent-decoded until nothing changes (byte by byte: keys are ASCII); null past the rounds allowed. */
function percentDecoded(text: string): string | null {
  let current = text;
  for (let round = 0; round <= MAX_DECODING_ROUNDS; round++) {
    const next = current.replace(PERCENT, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    if (next === current) return current;
    current = next;
  }
  return null;
}

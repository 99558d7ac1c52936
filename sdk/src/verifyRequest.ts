/**
 * A request as the frameworks hand it over: a Fetch `Request` (Hono, Next.js route handlers,
 * Workers), or a Node request whose `headers` is a plain object (Express, Fastify, `node:http`).
 */
export type VerifiableRequest =
  | { headers: Headers }
  | { headers: Record<string, string | string[] | undefined> };

const AUTHORIZATION = /^(bearer|api-key)[ \t]+(\S+)[ \t]*$/i;
const MAX_HEADER_LENGTH = 512;

function header(request: VerifiableRequest, name: string): string | null {
  const { headers } = request;
  // Not a request a framework hands over: it presents no key.
  if (!headers || typeof headers !== "object") return null;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name);
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value.join(", ") : (value ?? null);
}

/**
 * The key a request presents, read as Keyward itself reads it: `X-API-Key: <key>`,
 * `Authorization: Bearer <key>` or `Authorization: Api-Key <key>`. `null` when there is none,
 * or when the request is not one Keyward would accept (two different keys, a malformed
 * Authorization header, a header too long).
 */
export function keyOfRequest(request: VerifiableRequest): string | null {
  const found = new Set<string>();
  const apiKey = header(request, "x-api-key");
  if (apiKey !== null) {
    if (apiKey.length > MAX_HEADER_LENGTH) return null;
    if (apiKey.trim() !== "") found.add(apiKey.trim());
  }
  const authorization = header(request, "authorization");
  if (authorization !== null) {
    const match = authorization.length <= MAX_HEADER_LENGTH ? AUTHORIZATION.exec(authorization.trim()) : null;
    if (!match) return null;
    found.add(match[2]!);
  }
  return found.size === 1 ? [...found][0]! : null;
}

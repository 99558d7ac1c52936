import type { Config } from "../config.ts";
import type { ServerContext } from "./request.ts";
import { GRAPHQL_PATH } from "./routes.ts";

type CorsOptions = { origin: string[]; methods: string[]; allowedHeaders: string[]; credentials: false; maxAge: number } | false;

/** Echoes the request's `Origin` (Yoga's CORS helper does so for `*`, adding `Vary: Origin`); used only once the origin is decided. */
const THIS_ORIGIN = ["*"];

/**
 * CORS for /graphql, decided per request (Yoga calls this for the preflight and again for each
 * response, with the server context the authentication plugin filled in):
 *
 * - Origins listed in `KEYWARD_CORS_ORIGINS` get what the operator configured, as before.
 * - The embedded key page (`<keyward-api-keys token>`) runs on a product's page, whose origin
 *   Keyward learns only from the token, and a preflight carries no token. So a preflight from
 *   any origin is allowed when it asks to send `authorization` (and `content-type`) and nothing
 *   else, and never with credentials: it lets the browser send a bearer credential the page already holds, and no
 *   cookie (a cookie is accepted only from Keyward's own page anyway). The real request then
 *   authenticates its token, which is refused unless its `Origin` is the one the platform named;
 *   and only a response to such a request is shared with the page (`Access-Control-Allow-Origin`
 *   is that origin). Any other cross-origin response is not shared: a page elsewhere holding a
 *   real API key still cannot read Keyward's answers.
 */
export function corsOptions(config: Config) {
  const configured: CorsOptions = {
    origin: config.corsOrigins,
    methods: ["POST", "GET", "OPTIONS"],
    allowedHeaders: ["content-type", "x-api-key", "authorization"],
    credentials: false,
    maxAge: 600,
  };
  const embedded: CorsOptions = { origin: THIS_ORIGIN, methods: ["POST", "OPTIONS"], allowedHeaders: ["authorization", "content-type"], credentials: false, maxAge: 600 };
  // Yoga types the server context of this callback as `unknown`; it is Keyward's ServerContext.
  return (request: Request, server?: unknown): CorsOptions => {
    const origin = request.headers.get("origin");
    if (origin === null || new URL(request.url).pathname !== GRAPHQL_PATH) return false;
    if (config.corsOrigins.includes(origin)) return configured;
    if (request.method === "OPTIONS" && asksForBearerOnly(request)) return embedded;
    if ((server as ServerContext | undefined)?.principal?.embeddedOrigin === origin) return embedded;
    return config.corsOrigins.length ? configured : false;
  };
}

const BEARER_HEADERS = new Set(["authorization", "content-type"]);

/** A preflight for what the embedded element sends: `Authorization` (its token), perhaps `Content-Type`, nothing else. */
function asksForBearerOnly(request: Request): boolean {
  const asked = (request.headers.get("access-control-request-headers") ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  return asked.includes("authorization") && asked.every((name) => BEARER_HEADERS.has(name));
}

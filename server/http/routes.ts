import type { IncomingMessage, ServerResponse } from "node:http";
import type { Plugin } from "graphql-yoga";
import { keyInUrl } from "../auth/headers.ts";
import { badRequest, errorResponse, unauthenticated } from "../errors.ts";
import { SESSION_PATH } from "./console.ts";
import { ELEMENTS_PATH, isConsoleAsset, isConsolePage } from "./consoleFiles.ts";
export const GRAPHQL_PATH = "/graphql";
export const MCP_PATH = "/mcp";
/** Plain-HTTP probes for the deployment's own network (see useHttpsRequired). */
export const PROBE_PATHS: ReadonlySet<string> = new Set(["/healthz", "/readyz", "/metrics"]);

/**
 * Exactly these paths, and nothing that merely looks like them. Yoga takes any URL that ends
 * in `/graphql` (query string included) or `/graphql/` as GraphQL, while the HTTPS and key
 * checks go by the exact path: `/healthz?x=/graphql` would otherwise run GraphQL over plain
 * HTTP, and `/x/graphql` would run it without reading the key.
 */
export function useExactRoutes({ console = false } = {}): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      if (url.pathname === GRAPHQL_PATH || url.pathname === MCP_PATH) return;
      // The console's pages, files and session endpoint (server/http/console.ts) answer for themselves.
      if (console && (isConsolePage(url.pathname) || isConsoleAsset(url.pathname) || url.pathname === SESSION_PATH || url.pathname === ELEMENTS_PATH)) return;
      if (!PROBE_PATHS.has(url.pathname)) return endResponse(new Response(null, { status: 404 }));
      if (request.method !== "GET" && request.method !== "HEAD") {
        return endResponse(new Response(null, { status: 405, headers: { allow: "GET, HEAD" } }));
      }
      // Probes take no query string (Yoga's health check, which runs first, answers the plain path).
      if (url.search) return endResponse(new Response(null, { status: 400 }));
    },
  };
}

/**
 * A key anywhere in the URL is refused before anything else runs. Here in Yoga for callers of
 * `yoga.fetch`; `nodeListener` refuses it too, ahead of Yoga's own health check, CORS and
 * GraphiQL handlers, which answer before any plugin.
 */
export function useNoKeysInUrl(): Plugin {
  return {
    onRequest({ url, endResponse }) {
      if (keyInUrl(url.pathname + url.search, { allowApiKeyParam: url.pathname === MCP_PATH })) endResponse(keyInUrlRefusal());
    },
  };
}

const keyInUrlRefusal = () =>
  errorResponse(unauthenticated("API keys in URLs are refused (URLs get logged); send the key in the X-API-Key or Authorization header."));

/**
 * The Node listener. A request-target that is not a plain path (`http://x/graphql`, `*`) makes
 * the adapter under Yoga fail to build a URL, and its default answer is that error's stack.
 */
export function nodeListener(handler: (req: IncomingMessage, res: ServerResponse) => unknown) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const target = req.url ?? "";
    if (keyInUrl(target, { allowApiKeyParam: target.split("?", 1)[0] === MCP_PATH })) return void write(res, keyInUrlRefusal());
    if (target.startsWith("/") && !target.startsWith("//")) return void handler(req, withReasonPhrase(res));
    void write(res, errorResponse(badRequest("The request target must be a path.", 400, { connection: "close" })));
  };
}

/**
 * The adapter under Yoga writes a Response's `statusText` as the reason phrase, and a Response
 * made without one has `""`, so Node sent `HTTP/1.1 403 ` (an empty phrase). Given none, Node
 * writes the standard one.
 */
function withReasonPhrase(res: ServerResponse): ServerResponse {
  const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => writeHead(status, ...(rest[0] === "" ? rest.slice(1) : rest))) as ServerResponse["writeHead"];
  return res;
}

async function write(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(await response.text());
}

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Plugin } from "graphql-yoga";
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
export function useExactRoutes(): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      if (url.pathname === GRAPHQL_PATH || url.pathname === MCP_PATH) return;
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
 * The Node listener. A request-target that is not a plain path (`http://x/graphql`, `*`) makes
 * the adapter under Yoga fail to build a URL, and its default answer is that error's stack.
 */
export function nodeListener(handler: (req: IncomingMessage, res: ServerResponse) => unknown) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url?.startsWith("/") && !req.url.startsWith("//")) return void handler(req, res);
    res.writeHead(400, { "content-type": "application/json; charset=utf-8", connection: "close" });
    res.end(JSON.stringify({ errors: [{ message: "The request target must be a path.", extensions: { code: "BAD_USER_INPUT" } }] }));
  };
}

import type { Plugin } from "graphql-yoga";
import { unexpectedResponse } from "../errors.ts";
import type { ServerContext } from "../http/request.ts";
import { MCP_PATH } from "../http/routes.ts";
import type { Services } from "../services.ts";
import type { Execute, McpHandler } from "./handler.ts";

/**
 * `/mcp`: a Model Context Protocol server (Streamable HTTP, stateless) whose tools are the SDK's
 * operations. It takes the same keys, and on this endpoint only also `?api_key=` (connector
 * URLs need it). No key or a bad key is refused before any tool is listed.
 *
 * The MCP SDK and the tools are loaded by the first request to /mcp (server/mcp/handler.ts):
 * they hold ~11 MB that a Keyward no agent talks to never needs.
 */
export function useMcp(services: Services, execute: Execute): Plugin<{}, ServerContext> {
  let handler: Promise<McpHandler> | undefined;
  const load = () =>
    (handler ??= import("./handler.ts").then(
      (module) => module.mcpHandler(services, execute),
      (error: unknown) => {
        handler = undefined;
        throw error;
      },
    ));
  return {
    onRequest({ url, request, endResponse, serverContext }) {
      if (url.pathname !== MCP_PATH) return;
      // Stateless: no server-sent event stream to GET and no session to DELETE. Without a 405
      // a connected client reopens the stream every second, each time a use of its key.
      if (request.method !== "POST") {
        if (request.method === "OPTIONS") return;
        return endResponse(new Response(null, { status: 405, headers: { allow: "POST" } }));
      }
      return load()
        .then((handle) => handle(request, serverContext))
        .catch((error: unknown) => unexpectedResponse(services.logger, error, "mcp"))
        .then(endResponse);
    },
  };
}

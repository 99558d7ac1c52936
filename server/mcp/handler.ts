import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { authenticate } from "../auth/plugin.ts";
import { errorResponse, forbidden, unauthenticated } from "../errors.ts";
import { describeRequest, type InProcessCaller, type ServerContext } from "../http/request.ts";
import { schema } from "../schema/index.ts";
import type { Services } from "../services.ts";
import { jsonRpcError } from "./jsonRpc.ts";
import { singleMessage } from "./message.ts";
import { loadTools, toolsFor, type Tool } from "./tools.ts";

/** Runs a GraphQL request through the same server (scopes, limits, audit and all) as `caller`. */
export type Execute = (caller: InProcessCaller, document: string, variables: Record<string, unknown>) => Promise<Response>;

/** Answers one POST to /mcp. */
export type McpHandler = (request: Request, serverContext: ServerContext) => Promise<Response>;

/** The MCP endpoint's work, loaded on its first request (server/mcp/endpoint.ts). */
export function mcpHandler(services: Services, execute: Execute): McpHandler {
  const tools = loadTools(schema);
  return handle;

  async function handle(request: Request, serverContext: ServerContext): Promise<Response> {
    const principal = await authenticate(services, request, serverContext, { allowQuery: true });
    if (principal instanceof Response) return principal;
    if (!principal) return errorResponse(unauthenticated("An API key is required."));
    // MCP tools act inside one organization; a platform key belongs to none.
    if (principal.kind === "PLATFORM") return errorResponse(forbidden("Platform keys cannot be used on /mcp; use an organization's key."));
    const message = await singleMessage(request, services.config.maxBodyBytes);
    if (message instanceof Response) return message;
    const caller: InProcessCaller = {
      principal,
      requestInfo: describeRequest(request, serverContext, services.config.trustProxy),
    };

    const server = mcpServer(toolsFor(tools, principal), caller);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      // A body without Content-Length passes the body limit's first check: it is counted as read.
      maxRequestBodySize: services.config.maxBodyBytes,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request, message);
    } finally {
      void server.close();
    }
  }

  function mcpServer(visible: Tool[], caller: InProcessCaller): Server {
    const { principal } = caller;
    const server = new Server(
      { name: "keyward", version: "0.1.0" },
      {
        capabilities: { tools: {} },
        instructions: `Keyward API key service. You act as the key "${principal.keyName}" with scopes: ${[...principal.scopes].join(", ") || "none"}.`,
      },
    );
    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: visible.map((tool) => ({
        name: tool.name,
        description: tool.description,
        inputSchema: tool.inputSchema,
        annotations: tool.annotations,
      })),
    }));
    server.setRequestHandler(CallToolRequestSchema, async (call) => {
      const tool = tools.find((t) => t.name === call.params.name);
      if (!tool) throw jsonRpcError(ErrorCode.InvalidParams, `Unknown tool: ${call.params.name}`);
      const response = await execute(caller, tool.document, call.params.arguments ?? {});
      const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
      if (body.errors?.length) {
        const [first] = body.errors;
        const error = { code: first?.extensions?.code ?? "INTERNAL_SERVER_ERROR", message: first?.message ?? "Failed." };
        return { isError: true, content: [{ type: "text" as const, text: JSON.stringify({ error }) }], structuredContent: { error } };
      }
      const data = body.data ?? {};
      return { content: [{ type: "text" as const, text: JSON.stringify(data, null, 2) }], structuredContent: data };
    });
    return server;
  }
}

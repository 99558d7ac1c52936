import { readRequestBody, requestBodyTooLargeMessage } from "@modelcontextprotocol/sdk/server/requestBody.js";
import { isJsonContentType } from "@modelcontextprotocol/sdk/shared/mediaType.js";
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { jsonRpcErrorResponse } from "./jsonRpc.ts";

/**
 * The one JSON-RPC message of an MCP request, read here so that a batch is refused before any
 * tool runs: 100 tool calls in one array were one use of the key, each with its own cost
 * budget. MCP's 2025-06-18 revision removed batching, and no current client sends one.
 * `undefined`: not a JSON body, for the transport to refuse (415) as it does.
 */
export async function singleMessage(request: Request, maxBytes: number): Promise<{ parsedBody: unknown } | Response | undefined> {
  if (!isJsonContentType(request.headers.get("content-type"))) return undefined;
  // A client that went away mid-body (or was cut off by the request timeout) is not an incident.
  const body = await readRequestBody(request, maxBytes).catch(() => null);
  if (!body) return jsonRpcErrorResponse(400, ErrorCode.InvalidRequest, "Invalid Request: the body was not received in full.");
  if (body.tooLarge) return jsonRpcErrorResponse(413, -32000, requestBodyTooLargeMessage(maxBytes));
  let parsedBody: unknown;
  try {
    parsedBody = JSON.parse(body.text);
  } catch {
    return jsonRpcErrorResponse(400, ErrorCode.ParseError, "Parse error: Invalid JSON");
  }
  if (Array.isArray(parsedBody)) {
    return jsonRpcErrorResponse(400, ErrorCode.InvalidRequest, "Invalid Request: JSON-RPC batches are not supported; send one message per request.");
  }
  return { parsedBody };
}

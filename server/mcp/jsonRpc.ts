/**
 * MCP's errors are JSON-RPC's, not GraphQL's: `{ jsonrpc, error: { code, message }, id }`.
 * Built here only, in the two forms Keyward needs them.
 */

/**
 * A refusal before the MCP transport runs, in the transport's own shape: no id (the request's
 * could not be trusted), no details.
 */
export function jsonRpcErrorResponse(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/**
 * An error for a request handler to throw: the MCP server answers the call with its code and
 * message. A plain error with a JSON-RPC code: McpError would put "MCP error -32602:" in the
 * message twice.
 */
export function jsonRpcError(code: number, message: string): Error & { code: number } {
  return Object.assign(new Error(message), { code });
}

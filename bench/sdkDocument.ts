import { sdkOperations } from "../server/mcp/tools.ts";

/**
 * The document the SDK sends for one of its operations (e.g. `VerifyApiKey`, what `verifyRequest`
 * sends), as the MCP tools build it from sdk/operations: the bench measures exactly what an
 * integrator's every call costs.
 */
export function sdkDocument(operationName: string): string {
  const found = sdkOperations().find(({ operation }) => operation.name?.value === operationName);
  if (!found) throw new Error(`sdk/operations has no operation ${operationName}`);
  return found.document;
}

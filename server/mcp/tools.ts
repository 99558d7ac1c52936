import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  parse,
  print,
  typeFromAST,
  visit,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import type { Scope } from "../auth/scopes.ts";
import type { Principal } from "../auth/principal.ts";

/** One MCP tool: an SDK operation, run through the GraphQL server like any other request. */
export interface Tool {
  name: string;
  description: string;
  inputSchema: JsonSchema & { type: "object" };
  /** The operation with the fragments it uses. */
  document: string;
  /** `scope` the root field requires; `null`: any valid key. */
  scope: Scope | null;
  kind: "query" | "mutation";
  /** Hints for the client: whether the tool changes anything, and whether that can hurt. */
  annotations: { readOnlyHint: boolean; destructiveHint: boolean };
}

// Mutations that change nothing (none now: verifyApiKey spends a key's credits and counts against
// its rate limit), and those that take something away: a key's access (revoke, delete, disable,
// rotate: the old secret stops; its limits: an allowlist or a lower limit can shut it out), a
// person's access or rights, an invitation, or the organization's key policy (its dormant-key rule
// disables keys; its expiry rules refuse new ones).
const READ_ONLY_MUTATIONS = new Set<string>();
const DESTRUCTIVE = /^(revoke|delete|disable|rotate|remove|cancel|updateMemberRole$|updateApiKey$|updateOrganizationPolicy$)/;

export type JsonSchema = {
  type?: string | string[];
  description?: string;
  enum?: string[];
  format?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
};

export const operationsDir = join(import.meta.dirname, "..", "..", "sdk", "operations");

/**
 * The tools are the SDK's operations (sdk/operations/*.graphql): one source of truth for what
 * integrators and agents can do. Operations that need no key (signUp, acceptInvitation) are for
 * people, not for an agent that is already signed in, and are left out.
 */
export function loadTools(schema: GraphQLSchema, dir = operationsDir): Tool[] {
  const tools: Tool[] = [];
  for (const { operation, document } of sdkOperations(dir)) {
    if (operation.operation === "subscription" || !operation.name) continue;
    const root = operation.selectionSet.selections[0];
    if (root?.kind !== Kind.FIELD) continue;
    const parent = operation.operation === "query" ? schema.getQueryType() : schema.getMutationType();
    const field = parent?.getFields()[root.name.value];
    if (!field) throw new Error(`sdk/operations: ${operation.name.value} selects ${root.name.value}, which the schema lacks`);
    type AuthScopes = { scope?: Scope; authenticated?: boolean; $any?: { scope?: Scope } };
    const authScopes = (field.extensions as { pothosOptions?: { authScopes?: AuthScopes } }).pothosOptions?.authScopes;
    if (!authScopes) continue;
    // A field shared with platform keys names the organization scope under $any.
    const scope = authScopes.scope ?? authScopes.$any?.scope ?? null;
    // The platform's own operations: /mcp refuses platform keys, so no MCP caller may use them.
    if (scope === null && !authScopes.authenticated) continue;

    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const variable of operation.variableDefinitions ?? []) {
      const type = typeFromAST(schema, variable.type as never) as GraphQLInputType | undefined;
      if (!type) throw new Error(`sdk/operations: unknown type for $${variable.variable.name.value}`);
      const name = variable.variable.name.value;
      properties[name] = jsonSchema(type, field.args.find((a) => a.name === name)?.description ?? undefined);
      if (isNonNullType(type) && !variable.defaultValue) required.push(name);
    }
    tools.push({
      name: snakeCase(operation.name.value),
      description: `${field.description ?? operation.name.value} (${operation.operation}; needs ${scope ?? "any valid key"})`,
      inputSchema: { type: "object", properties, ...(required.length ? { required } : {}), additionalProperties: false },
      document,
      scope,
      kind: operation.operation,
      annotations: {
        readOnlyHint: operation.operation === "query" || READ_ONLY_MUTATIONS.has(field.name),
        destructiveHint: DESTRUCTIVE.test(field.name),
      },
    });
  }
  return tools;
}

export function toolsFor(tools: readonly Tool[], principal: Principal): Tool[] {
  return tools.filter((tool) => tool.scope === null || principal.scopes.has(tool.scope));
}

function jsonSchema(type: GraphQLInputType, description?: string): JsonSchema {
  const withDescription = (schema: JsonSchema): JsonSchema => (description ? { ...schema, description } : schema);
  if (isNonNullType(type)) return jsonSchema(type.ofType, description);
  if (isListType(type)) return withDescription({ type: "array", items: jsonSchema(type.ofType) });
  if (isEnumType(type)) return withDescription({ type: "string", enum: type.getValues().map((v) => v.name) });
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    const required = fields.filter((f) => isNonNullType(f.type) && f.defaultValue === undefined).map((f) => f.name);
    return withDescription({
      type: "object",
      properties: Object.fromEntries(fields.map((f) => [f.name, jsonSchema(f.type, f.description ?? undefined)])),
      ...(required.length ? { required } : {}),
      additionalProperties: false,
    });
  }
  const scalar = getNamedType(type);
  if (!isScalarType(scalar)) return withDescription({});
  const byScalar: Record<string, JsonSchema> = {
    Int: { type: "integer" },
    Float: { type: "number" },
    Boolean: { type: "boolean" },
    DateTime: { type: "string", format: "date-time" },
    Date: { type: "string", format: "date" },
    JSONObject: { type: "object" },
  };
  return withDescription(byScalar[scalar.name] ?? { type: "string" });
}

/** Each named operation in sdk/operations with the document the SDK sends for it (the operation and the fragments it uses). */
export function sdkOperations(dir = operationsDir): Array<{ operation: OperationDefinitionNode; document: string }> {
  const definitions = readdirSync(dir)
    .filter((f) => f.endsWith(".graphql"))
    .flatMap((f) => parse(readFileSync(join(dir, f), "utf8")).definitions);
  const fragments = new Map(
    definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  return definitions
    .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && d.name !== undefined)
    .map((operation) => ({ operation, document: [operation, ...usedFragments(operation, fragments)].map((d) => print(d)).join("\n\n") }));
}

function usedFragments(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): FragmentDefinitionNode[] {
  const used = new Map<string, FragmentDefinitionNode>();
  const collect = (node: OperationDefinitionNode | FragmentDefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (fragment && !used.has(fragment.name.value)) {
          used.set(fragment.name.value, fragment);
          collect(fragment);
        }
      },
    });
  collect(operation);
  return [...used.values()];
}

const snakeCase = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

import SchemaBuilder from "@pothos/core";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import { DateResolver, DateTimeResolver, JSONObjectResolver } from "graphql-scalars";
import type { Scope } from "./auth/scopes.ts";
import type { AuthenticatedContext, Context } from "./context.ts";
import { forbidden, unauthenticated } from "./errors.ts";
import type PrismaTypes from "./generated/pothos-prisma-types.ts";
import { getDatamodel } from "./generated/pothos-prisma-types.ts";

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: { authenticated: boolean; scope: Scope };
  AuthContexts: { authenticated: AuthenticatedContext; scope: AuthenticatedContext };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    Date: { Input: Date; Output: Date | string };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
  };
  DefaultFieldNullability: false;
}>({
  // Scope-auth first, so authorization runs before any other plugin's work.
  plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (context) => ({
      authenticated: context.principal !== null,
      scope: (scope) => context.principal?.scopes.has(scope) ?? false,
    }),
    // No key at all is a 401 everywhere; a key without the scope or role is a 403.
    unauthorizedError: (_parent, context) => (context.principal ? forbidden() : unauthenticated()),
  },
  prisma: {
    client: (context) => context.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    defaultConnectionSize: 20,
    maxConnectionSize: 100,
    onUnusedQuery: null,
  },
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    firstArgOptions: { description: "Page size: 1 to 100; default 20." },
    afterArgOptions: { description: "Start after this cursor (`pageInfo.endCursor` of the previous page)." },
    lastArgOptions: { description: "Page size counted from the end: 1 to 100." },
    beforeArgOptions: { description: "End before this cursor (`pageInfo.startCursor`)." },
  },
});

builder.addScalarType("DateTime", DateTimeResolver);
builder.addScalarType("Date", DateResolver);
builder.addScalarType("JSONObject", JSONObjectResolver);
builder.queryType({});
builder.mutationType({});

import SchemaBuilder from "@pothos/core";
import ComplexityPlugin from "@pothos/plugin-complexity";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import { GraphQLError } from "graphql";
import { DateResolver, DateTimeResolver, JSONObjectResolver } from "graphql-scalars";
import type { PlatformScope } from "./auth/platformScopes.ts";
import type { Scope } from "./auth/scopes.ts";
import type { AuthenticatedContext, Context, PlatformContext } from "./context.ts";
import { forbidden, KeywardError, unauthenticated } from "./errors.ts";
import type PrismaTypes from "./generated/pothos-prisma-types.ts";
import { getDatamodel } from "./generated/pothos-prisma-types.ts";

const PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: { authenticated: boolean; scope: Scope; platform: PlatformScope };
  AuthContexts: { authenticated: AuthenticatedContext; scope: AuthenticatedContext; platform: PlatformContext };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    Date: { Input: Date; Output: Date | string };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
  };
  DefaultFieldNullability: false;
}>({
  // Scope-auth first, so authorization runs before any other plugin's work.
  plugins: [ScopeAuthPlugin, ComplexityPlugin, PrismaPlugin, RelayPlugin],
  // What one request may ask for, counted with its variables before any root field runs: each
  // field costs 1, and a connection's selections count once per row of the page it asks for
  // (`defaultConnectionFieldOptions` below). 10,000 is about four full pages (100) of keys with
  // every field (2,201 each).
  complexity: {
    // Constants rather than a function for every field: a function has each field's arguments
    // read for it on every request (~13 KB of the ~190 KB a `verifyApiKey` allocated). A list
    // multiplier of 1, or a list field (a page's edges) would count 10 times.
    defaultComplexity: 1,
    defaultListMultiplier: 1,
    limit: { complexity: 10_000 },
    // The limit is not revealed.
    complexityError: () => new KeywardError("BAD_USER_INPUT", "This request asks for too much at once: ask for smaller pages or fewer fields."),
  },
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (context) => ({
      authenticated: context.principal !== null,
      scope: (scope) => context.principal?.scopes.has(scope) ?? false,
      // Only a platform key holds these; an organization key never does, whatever its role.
      platform: (scope) => context.platform?.scopes.has(scope) ?? false,
    }),
    // No key at all is a 401 everywhere; a key without the scope or role is a 403, as is a
    // platform key on an organization's operation and an organization key on the platform's.
    unauthorizedError: (_parent, context) => (context.principal || context.platform ? forbidden() : unauthenticated()),
  },
  prisma: {
    client: (context) => context.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    defaultConnectionSize: PAGE_SIZE,
    maxConnectionSize: MAX_PAGE_SIZE,
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
    defaultConnectionFieldOptions: {
      complexity: (args) => {
        const asked = Number(args.first ?? args.last ?? PAGE_SIZE);
        return { field: 1, multiplier: Math.min(Math.max(Number.isFinite(asked) ? asked : MAX_PAGE_SIZE, 1), MAX_PAGE_SIZE) };
      },
    },
  },
});

// Inputs from 1970 to 9999: earlier years mean nothing to a key service, and PostgreSQL refuses
// year 0 (or Date.UTC reads years 0–99 as 19xx) deep in a query.
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const inRange = (date: Date): Date => {
  if (date.getTime() < EARLIEST || date.getTime() > LATEST) throw new GraphQLError("DateTime must be from 1970-01-01 to 9999-12-31.");
  return date;
};
builder.addScalarType("DateTime", DateTimeResolver, {
  parseValue: (value) => inRange(DateTimeResolver.parseValue(value)),
  parseLiteral: (ast, variables) => inRange(DateTimeResolver.parseLiteral(ast, variables)),
});
builder.addScalarType("Date", DateResolver);
builder.addScalarType("JSONObject", JSONObjectResolver);
builder.queryType({});
// Mutation fields return nullable payloads (as GitHub's API does): when one mutation of a
// request fails, the others' results, secrets included, still reach the caller.
builder.mutationType({});

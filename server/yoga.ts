import { PothosValidationError } from "@pothos/core";
import { GraphQLError } from "graphql";
import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { useDisableIntrospection } from "@graphql-yoga/plugin-disable-introspection";
import { createYoga, useReadinessCheck, type Plugin, type YogaServerInstance } from "graphql-yoga";
import { useApiKeyAuth } from "./auth/plugin.ts";
import { contextFactory, type Context } from "./context.ts";
import { asBadUserInput, badInput, badRequest, KeywardError, unexpected } from "./errors.ts";
import type { Logger } from "./infra/logger.ts";
import { readiness } from "./http/readiness.ts";
import type { ServerContext } from "./http/request.ts";
import { schema } from "./schema/index.ts";
import { useMcp } from "./mcp/endpoint.ts";
import type { Execute } from "./mcp/handler.ts";
import { graphiqlOptions, renderKeywardGraphiQL } from "./http/graphiql.ts";
import { useRequestLog } from "./http/requestLog.ts";
import { useRequestMetrics } from "./http/requestMetrics.ts";
import { GRAPHQL_PATH, useExactRoutes, useNoKeysInUrl } from "./http/routes.ts";
import { useBodyLimit } from "./http/bodyLimit.ts";
import { useConsole } from "./http/console.ts";
import { corsOptions } from "./http/cors.ts";
import { useHttpsRequired } from "./http/httpsRequired.ts";
import { useStorableText } from "./http/storableText.ts";
import type { Services } from "./services.ts";

export type KeywardYoga = YogaServerInstance<ServerContext, Context>;

/**
 * The Yoga instance, apart from `listen` so tests and benchmarks drive it through
 * `yoga.fetch` or a port of their own. A factory rather than a module-level instance
 * because the database behind it is opened (and migrated) asynchronously first.
 */
export function createKeywardYoga(services: Services): KeywardYoga {
  const { config } = services;
  // MCP tools run as GraphQL requests of this same server, as the caller /mcp authenticated.
  const execute: Execute = async (caller, query, variables) =>
    yoga.fetch(
      "https://keyward.internal/graphql",
      { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) },
      caller,
    );
  const yoga: KeywardYoga = createYoga<ServerContext, Context>({
    schema,
    context: contextFactory(services),
    graphqlEndpoint: GRAPHQL_PATH,
    healthCheckEndpoint: "/healthz",
    landingPage: false,
    batching: false,
    // useBodyLimit (server/http/bodyLimit.ts) holds bodies to config.maxBodyBytes.
    maxRequestBodySize: false,
    cors: corsOptions(config),
    graphiql: config.graphiql ? graphiqlOptions : false,
    // The GraphiQL bundle ships with Keyward, so it works offline and without a CDN.
    renderGraphiQL: renderKeywardGraphiQL,
    maskedErrors: { maskError },
    logging: onlyUnexpectedErrors(services.logger),
    plugins: [
      // Order matters: keys in URLs and unknown routes first, then HTTPS, size, CSRF, the key, and only then GraphQL's own work.
      useRequestLog(services.logger),
      useNoKeysInUrl(),
      useExactRoutes({ console: config.console }),
      useReadinessCheck({ endpoint: "/readyz", check: () => readiness(services) }),
      // Off means off: nothing is recorded, not merely left unserved.
      ...(config.metrics ? [useRequestMetrics(services.metrics.registry, schema)] : []),
      useHttpsRequired(config),
      useBodyLimit(config.maxBodyBytes),
      useConsole(services),
      useMcp(services, execute),
      useCSRFPrevention({ requestHeaders: ["x-graphql-csrf", "x-api-key", "authorization"] }),
      useApiKeyAuth(services),
      useStorableText(),
      EnvelopArmorPlugin(armor),
      ...(config.introspection ? [] : [useDisableIntrospection()]),
      useInvalidDocumentErrors(),
    ],
  });
  return yoga;
}

/** Limits on what one document may ask for. Limits are not revealed in errors. */
const armor = {
  maxDepth: { n: 10, flattenFragments: true, exposeLimits: false },
  maxAliases: { n: 15, exposeLimits: false },
  maxTokens: { n: 2_000, exposeLimits: false },
  maxDirectives: { n: 10, exposeLimits: false },
  // Cost is the complexity plugin's (server/builder.ts): it counts page sizes given as variables.
  costLimit: { enabled: false },
  // Suggestions are removed for callers without a key below; key holders keep them.
  blockFieldSuggestion: { enabled: false },
} as const;

/**
 * Validation errors skip `maskError`: give them the BAD_USER_INPUT code. "Did you mean …?"
 * hints are dropped per response for callers without a valid key, who need not learn the
 * schema (per response, not in validation: validation results are cached across callers).
 */
function useInvalidDocumentErrors(): Plugin<{}, ServerContext> {
  return {
    onValidate: () => ({ result, setResult }) => {
      if (result.length > 0) setResult(result.map((e) => (e instanceof GraphQLError ? asBadUserInput(e) : e)));
    },
    onResultProcess({ serverContext, result, setResult }) {
      if (serverContext.principal || Array.isArray(result) || !("errors" in result) || !result.errors?.length) return;
      setResult({ ...result, errors: result.errors.map(withoutSuggestions) });
    },
  };
}

function withoutSuggestions(error: GraphQLError): GraphQLError {
  const message = error.message.replace(/ ?Did you mean .*\?$/, "");
  if (message === error.message) return error;
  return new GraphQLError(message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: error.extensions });
}

/**
 * Keyward's own errors pass through; a Pothos argument error (bad cursor…) is the caller's
 * input; anything else is masked, so a Prisma or driver message never reaches a client.
 */
function maskError(error: unknown): Error {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  if (original instanceof KeywardError) return error as GraphQLError;
  if (original instanceof PothosValidationError) return badInput(original.message);
  // Yoga parses a GET request's variables and extensions with JSON.parse.
  if (original instanceof SyntaxError) return badRequest("The request's variables or extensions are not valid JSON.");
  if (original instanceof GraphQLError) return asBadUserInput(error as GraphQLError);
  return unexpected(original);
}

/** Yoga logs every error it rewrote; the caller's mistakes are answers, not incidents. */
function onlyUnexpectedErrors(logger: Logger): Logger {
  return {
    ...logger,
    error: (...args: unknown[]) => {
      const [first] = args;
      const original = first instanceof GraphQLError ? (first.originalError ?? first) : first;
      if (original instanceof PothosValidationError || original instanceof GraphQLError || original instanceof SyntaxError) return;
      logger.error(...args);
    },
  };
}

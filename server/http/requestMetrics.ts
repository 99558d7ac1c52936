import { createCounter, createHistogram, usePrometheus, type FillLabelsFnParams } from "@graphql-yoga/plugin-prometheus";
import type { GraphQLSchema } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Registry } from "prom-client";
import { GRAPHQL_PATH, MCP_PATH, PROBE_PATHS } from "./routes.ts";

/**
 * Yoga's request metrics, every label from a closed set. The plugin's defaults label series
 * with the full request URL and whatever operation name the caller wrote, so every new query
 * string or name was a new series kept forever (2,000 anonymous requests grew /metrics from
 * 228 KB to 19.7 MB), and a key put in a URL was published at /metrics.
 */
export function useRequestMetrics(registry: Registry, schema: GraphQLSchema): Plugin {
  const operation = operationLabel(knownOperationNames(schema));
  const graphql = (params: FillLabelsFnParams) => ({
    operationName: operation(params.operationName),
    operationType: operationType(params.operationType),
  });
  return usePrometheus({
    endpoint: "/metrics",
    registry,
    metrics: {
      graphql_yoga_http_duration: createHistogram({
        registry,
        histogram: {
          name: "graphql_yoga_http_duration",
          help: "Time spent on HTTP connection",
          labelNames: ["route", "method", "operationName", "operationType", "status"] as const,
        },
        fillLabelsFn: (params: HttpParams) => ({
          ...graphql(params),
          route: route(new URL(params.request.url).pathname),
          method: METHODS.has(params.request.method) ? params.request.method : "other",
          status: `${Math.floor(params.response.status / 100)}xx`,
        }),
      }),
      graphql_envelop_request: createCounter({
        registry,
        counter: { name: "graphql_envelop_request", help: "GraphQL operations executed", labelNames: ["operationName", "operationType"] as const },
        fillLabelsFn: graphql,
      }),
      graphql_envelop_request_duration: createHistogram({
        registry,
        histogram: {
          name: "graphql_envelop_request_duration",
          help: "Time spent running a GraphQL operation, from parse to execute",
          labelNames: ["operationName", "operationType"] as const,
        },
        fillLabelsFn: graphql,
      }),
      // Without the plugin's `path` label: a path holds the caller's aliases and list indices.
      graphql_envelop_error_result: createCounter({
        registry,
        counter: { name: "graphql_envelop_error_result", help: "Errors in GraphQL results, by phase", labelNames: ["operationName", "operationType", "phase"] as const },
        fillLabelsFn: (params: FillLabelsFnParams) => ({ ...graphql(params), phase: PHASES.has(params.errorPhase ?? "") ? params.errorPhase! : "other" }),
      }),
      // The plugin turns all of these on unless told otherwise: each is one more histogram per
      // operation name, and the four above already answer "how many, how slow, how many failed".
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_deprecated_field: false,
      graphql_envelop_schema_change: false,
      graphql_envelop_execute_resolver: false,
    },
  });
}

type HttpParams = FillLabelsFnParams & { request: Request; response: Response };

const METHODS: ReadonlySet<string> = new Set(["GET", "POST", "HEAD", "OPTIONS"]);
const PHASES: ReadonlySet<string> = new Set(["parse", "validate", "context", "execute", "subscribe"]);
const ROUTES: ReadonlySet<string> = new Set([GRAPHQL_PATH, MCP_PATH, ...PROBE_PATHS]);

function route(pathname: string): string {
  return ROUTES.has(pathname) ? pathname : "other";
}

function operationType(type: string | undefined): string {
  return type === "query" || type === "mutation" || type === "subscription" ? type : "unknown";
}

/**
 * The SDK's operation names: one per root field, the field's name capitalised (`apiKeys` →
 * `ApiKeys`; test/sdk-coverage.test.ts holds the SDK to it). The console and the MCP tools
 * send these; anything else a caller names its operation is `other`.
 */
export function knownOperationNames(schema: GraphQLSchema): ReadonlySet<string> {
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
  return new Set(roots.flatMap((root) => Object.keys(root?.getFields() ?? {})).map((field) => field[0]!.toUpperCase() + field.slice(1)));
}

function operationLabel(known: ReadonlySet<string>): (name: string | undefined) => string {
  // The plugin says `Anonymous` for an operation without a name.
  return (name) => (!name || name === "Anonymous" ? "anonymous" : known.has(name) ? name : "other");
}

import type { KeywardYoga } from "../../server/yoga.ts";
import { testServer } from "./server.ts";

export const GRAPHQL_URL = "http://keyward.test/graphql";

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  headers: Headers;
  /** The parsed body; undefined when the answer is not JSON (a 413 from the body limit, a console page). */
  body: { data?: T | null; errors?: GraphQLResponse["errors"] } | undefined;
  data: T | null | undefined;
  errors: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }> | undefined;
  /** `errors[0].extensions.code`, the thing tests assert on. */
  code: string | undefined;
  text: string;
}

export interface RequestOptions {
  variables?: Record<string, unknown>;
  /** Sent as `X-API-Key` unless `headers` says otherwise. */
  key?: string;
  headers?: Record<string, string>;
  url?: string;
}

/** The worker's server, a Yoga of its own (other configuration, another instance), a started Keyward's. */
export type Fetcher = Pick<KeywardYoga, "fetch">;

/** Sends `init` as it is and reads the answer, JSON or not: the one place tests read `yoga.fetch`'s answers. */
export async function send<T = Record<string, any>>(yoga: Fetcher, init: RequestInit, url = GRAPHQL_URL): Promise<GraphQLResponse<T>> {
  const response = await yoga.fetch(url, init);
  const text = await response.text();
  let body: GraphQLResponse<T>["body"];
  try {
    body = JSON.parse(text);
  } catch {
    // Reported through `status` and `text`.
    body = undefined;
  }
  return {
    status: response.status,
    headers: response.headers,
    body,
    data: body?.data,
    errors: body?.errors,
    code: body?.errors?.[0]?.extensions?.code,
    text,
  };
}

/** A GraphQL POST as clients send it. */
export const post = (
  query: string,
  headers: Record<string, string> = {},
  variables?: Record<string, unknown>,
  operationName?: string,
): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify({ query, variables, operationName }),
});

/** A GraphQL request to `yoga`, with `options.key` as `X-API-Key`. */
export function request<T = Record<string, any>>(yoga: Fetcher, query: string, options: RequestOptions = {}): Promise<GraphQLResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers["x-api-key"] = options.key;
  return send<T>(yoga, post(query, headers, options.variables), options.url);
}

/** A GraphQL request to the worker's server; an answer that is not JSON fails the test. */
export async function gql<T = Record<string, any>>(query: string, options: RequestOptions = {}): Promise<GraphQLResponse<T>> {
  const { yoga } = await testServer();
  const answer = await request<T>(yoga, query, options);
  if (answer.body === undefined) throw new Error(`not JSON (${answer.status}): ${answer.text.slice(0, 500)}`);
  return answer;
}

/**
 * `mutation($i: <Name>Input!) { <name>(input: $i) <selection> }`: every mutation takes one input
 * named after it, so the document follows from the name (`renameApiKey` → `RenameApiKeyInput`).
 */
export const mutation = (name: string, selection = "{ __typename }") =>
  `mutation($i: ${name[0]!.toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $i) ${selection} }`;

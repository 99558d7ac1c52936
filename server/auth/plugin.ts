import type { Plugin } from "graphql-yoga";
import { errorResponse, unexpectedResponse, type AuthFailureCode } from "../errors.ts";
import type { Services } from "../services.ts";
import { describeRequest, throttledClient, type NodeServerContext, type RequestInfo } from "../http/request.ts";
import { rateLimited } from "../infra/rateLimit.ts";
import { recordFailedBurst } from "./bursts.ts";
import { GRAPHQL_PATH } from "../http/routes.ts";
import { presentedKey } from "./headers.ts";
import { keyIdOf, parseKey } from "./key.ts";
import type { Principal } from "./principal.ts";
import type { Verification } from "./verify.ts";

/** A principal, `null` for no key at all, or the refusal to send (401/403/429). */
export type Authentication = Principal | null | Response;

/**
 * An operation Keyward runs for a caller it has already authenticated (an MCP tool call): the
 * caller's principal and request details travel in the server context, which only Keyward's
 * own `yoga.fetch(url, init, serverContext)` can set, never an HTTP client. The operation then
 * goes through everything else (scopes, limits, audit) as the caller, and is not counted as a
 * second use of the key.
 */
export interface InternalCaller {
  principal: Principal;
  requestInfo: RequestInfo;
}
export const INTERNAL_CALLER = Symbol("keyward.internalCaller");
export type InternalServerContext = { [INTERNAL_CALLER]?: InternalCaller };

/**
 * The request's key, verified (from memory when warm: then nothing is awaited). Keys that are
 * malformed, unknown or wrong are counted per client (an IPv6 client by its /64) and per key
 * id; a client that keeps failing gets 429 instead of 401, and valid keys in use are never held up.
 */
export function authenticate(
  services: Services,
  request: Request,
  serverContext: unknown,
  { allowQuery = false } = {},
): Authentication | Promise<Authentication> {
  const { verifier, rateLimits, config, metrics } = services;
  const presented = presentedKey(request, { allowQuery });
  if (presented.kind === "none") {
    metrics.authentication("anonymous");
    return null;
  }
  const refuse = async (code: AuthFailureCode, message?: string): Promise<Response> => {
    // Throttling is against guessing: a key refused for its status (revoked, disabled, expired)
    // was not guessed, is answered from memory, and its precise code helps more than a 429.
    if (code !== "UNAUTHENTICATED") {
      metrics.authentication(code.toLowerCase());
      return errorResponse(code, message);
    }
    const client = throttledClient(request, serverContext as NodeServerContext, config.trustProxy);
    const id = presented.kind === "key" ? parseKey(presented.key)?.id : undefined;
    try {
      await rateLimits.authByClient.assertAllowed(client);
      if (id) await rateLimits.authByKeyId.assertAllowed(id);
    } catch (limited) {
      metrics.authentication("rate_limited");
      return errorResponse(limited);
    }
    metrics.authentication(code.toLowerCase());
    if (await rateLimits.authByClient.fail(client)) services.logger.warn("failed authentications from one client reached the limit", { client });
    if (id && (await rateLimits.authByKeyId.fail(id))) {
      const requestInfo = describeRequest(request, serverContext as NodeServerContext, config.trustProxy);
      await recordFailedBurst(services, id, requestInfo, rateLimits.authByKeyId);
    }
    return errorResponse(code, message);
  };
  if (presented.kind === "invalid") return refuse("UNAUTHENTICATED", presented.message).catch(failed);
  // A key not in memory costs a database read: a client already over its failure limit gets
  // 429 instead (so a flood of made-up ids stops reaching the database). Warm keys go on.
  const id = keyIdOf(presented.key);
  if (id && verifier.cache.peek(id) === undefined) {
    const blockedMs = rateLimits.authByClient.knownBlockMs(throttledClient(request, serverContext as NodeServerContext, config.trustProxy));
    if (blockedMs > 0) {
      metrics.authentication("rate_limited");
      return errorResponse(rateLimited(blockedMs / 1000));
    }
  }
  const accept = (result: Verification): Authentication | Promise<Authentication> => {
    if (!result.ok) return refuse(result.code).catch(failed);
    metrics.authentication("valid");
    services.usage.record(result.principal.keyId);
    return result.principal;
  };
  try {
    const result = verifier.verify(presented.key);
    return result instanceof Promise ? result.then(accept).catch(failed) : accept(result);
  } catch (error) {
    return failed(error);
  }

  // The database (key lookup, shared throttle) failed: the caller learns only UNAVAILABLE.
  function failed(error: unknown): Response {
    return unexpectedResponse(services.logger, error, "authentication");
  }
}

/**
 * Authenticates every GraphQL request before its body is parsed: a request with a bad key
 * costs no parsing or validation, and learns nothing about the schema. The result is kept
 * per request for the context factory.
 */
export function useApiKeyAuth(services: Services, principals: WeakMap<Request, Principal | null>): Plugin {
  return {
    onRequest({ request, url, endResponse, serverContext }) {
      if (url.pathname !== GRAPHQL_PATH) return;
      const internal = (serverContext as InternalServerContext | undefined)?.[INTERNAL_CALLER];
      if (internal) return void principals.set(request, internal.principal);
      const settle = (outcome: Authentication) => {
        if (outcome instanceof Response) return endResponse(outcome);
        principals.set(request, outcome);
      };
      const outcome = authenticate(services, request, serverContext);
      return outcome instanceof Promise ? outcome.then(settle) : settle(outcome);
    },
  };
}

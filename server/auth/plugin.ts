import type { Plugin } from "graphql-yoga";
import { authFailure, errorResponse, forbidden, KeywardError, unexpectedResponse, type AuthFailureCode } from "../errors.ts";
import type { Services } from "../services.ts";
import { describeRequest, fromOwnPage, throttledClient, type ServerContext } from "../http/request.ts";
import { rateLimited } from "../infra/rateLimit.ts";
import { recordFailedBurst } from "./bursts.ts";
import { refusedByLimits } from "./policyChecks.ts";
import { GRAPHQL_PATH } from "../http/routes.ts";
import { presentedKey } from "./headers.ts";
import { parseKey, type ParsedKey } from "./key.ts";
import type { KeyPrincipal, PlatformPrincipal, Principal } from "./principal.ts";
import { embeddedPrincipal, embeddedTokenOf } from "./embeddedSessions.ts";
import { sessionCookieOf, sessionPrincipal } from "./sessions.ts";
import type { Verification } from "./verifier.ts";

/** A principal (an organization's or the platform's), `null` for no key at all, or the refusal to send (401/403/429). */
export type Authentication = Principal | PlatformPrincipal | null | Response;

/** One request's attempt to authenticate, shared by the steps below. */
interface Attempt {
  services: Services;
  request: Request;
  serverContext: ServerContext;
  /** The presented key, parsed once; `null` when it is not a well-formed key. */
  key: ParsedKey | null;
}

/**
 * The request's key: headers → parse (once) → throttle → verify (from memory when warm: then
 * nothing is awaited; else the database) → principal. Keys that are malformed, unknown or wrong
 * are counted per client (an IPv6 client by its /64) and per key id; a client that keeps failing
 * gets 429 instead of 401, and valid keys in use are never held up.
 */
export function authenticate(
  services: Services,
  request: Request,
  serverContext: ServerContext,
  { allowQuery = false, allowSession = false, allowEmbedded = false } = {},
): Authentication | Promise<Authentication> {
  const embedded = allowEmbedded ? embeddedTokenOf(request) : null;
  if (embedded) return authenticateEmbedded(services, request, serverContext, embedded).catch((error: unknown) => unavailable(services, error));
  const presented = presentedKey(request, { allowQuery });
  if (presented.kind === "none") {
    const session = allowSession ? sessionCookieOf(request) : null;
    if (session) return authenticateSession(services, request, session).catch((error: unknown) => unavailable(services, error));
    services.metrics.authentication("anonymous");
    return null;
  }
  const failed = (error: unknown) => unavailable(services, error);
  const attempt: Attempt = { services, request, serverContext, key: presented.kind === "key" ? parseKey(presented.key) : null };
  const { key } = attempt;
  if (!key) return refuse(attempt, "UNAUTHENTICATED", presented.kind === "invalid" ? presented.message : undefined).catch(failed);

  const throttled = throttledBeforeLookup(attempt, key);
  if (throttled) return throttled;

  try {
    const verification = services.verifier.verifyParsed(key);
    return verification instanceof Promise ? verification.then((v) => settle(attempt, v)).catch(failed) : settle(attempt, verification);
  } catch (error) {
    return failed(error);
  }
}

/**
 * A key not in memory costs a database read: a client already over its failure limit gets 429
 * instead (so a flood of made-up ids stops reaching the database). Warm keys go on.
 */
function throttledBeforeLookup({ services, request, serverContext }: Attempt, key: ParsedKey): Response | undefined {
  const { verifier, rateLimits, config, metrics } = services;
  if (verifier.cache.peek(key.id) !== undefined) return undefined;
  const blockedMs = rateLimits.authByClient.knownBlockMs(throttledClient(request, serverContext, config.trustProxy));
  if (blockedMs <= 0) return undefined;
  metrics.authentication("rate_limited");
  return errorResponse(rateLimited(blockedMs / 1000));
}

function settle(attempt: Attempt, verification: Verification): Authentication | Promise<Authentication> {
  const { services } = attempt;
  if (!verification.ok) return refuse(attempt, verification.code).catch((error: unknown) => unavailable(services, error));
  if (verification.limits) {
    const refused = refusedByLimits(services, attempt.request, attempt.serverContext, verification.principal.keyId, verification.limits);
    if (refused instanceof Promise) {
      return refused.then((response) => response ?? accept(services, verification.principal)).catch((error: unknown) => unavailable(services, error));
    }
    if (refused) return refused;
  }
  return accept(services, verification.principal);
}

function accept({ metrics, usage }: Services, principal: KeyPrincipal | PlatformPrincipal): Authentication {
  metrics.authentication("valid");
  usage.record(principal.keyId);
  return principal;
}

/**
 * The refusal to send. Throttling is against guessing: a key refused for its status (revoked,
 * disabled, expired) was not guessed, is answered from memory, and its precise code helps more
 * than a 429. A guess is counted against its client and, when it named a key, against that key,
 * whose organization hears of a burst in its audit log (server/auth/bursts.ts).
 */
async function refuse({ services, request, serverContext, key }: Attempt, code: AuthFailureCode, message?: string): Promise<Response> {
  const { rateLimits, config, metrics, logger } = services;
  if (code !== "UNAUTHENTICATED") {
    metrics.authentication(code.toLowerCase());
    return errorResponse(authFailure(code, message));
  }
  const client = throttledClient(request, serverContext, config.trustProxy);
  try {
    await rateLimits.authByClient.assertAllowed(client);
    if (key) await rateLimits.authByKeyId.assertAllowed(key.id);
  } catch (limited) {
    // The shared throttle's database failing is the database failing: 503 UNAVAILABLE (through `unavailable`), not a 500.
    if (!(limited instanceof KeywardError)) throw limited;
    metrics.authentication("rate_limited");
    return errorResponse(limited);
  }
  metrics.authentication(code.toLowerCase());
  if (await rateLimits.authByClient.fail(client)) logger.warn("failed authentications from one client reached the limit", { client });
  if (key && (await rateLimits.authByKeyId.fail(key.id))) {
    await recordFailedBurst(services, key, describeRequest(request, serverContext, config.trustProxy), rateLimits.authByKeyId);
  }
  return errorResponse(authFailure(code, message));
}

/**
 * A console session's cookie (a key, when present, always wins). It is accepted only from
 * Keyward's own page (same origin, with the CSRF header); a session that has ended makes an
 * anonymous request, which every field needing a caller answers with 401.
 */
async function authenticateSession({ prisma, config, metrics }: Services, request: Request, token: string): Promise<Authentication> {
  if (!fromOwnPage(request, config.publicUrl)) {
    metrics.authentication("forbidden");
    return errorResponse(forbidden("A console session is accepted only from Keyward's own page, with the CSRF header."));
  }
  const principal = await sessionPrincipal(prisma, config, token);
  metrics.authentication(principal ? "session" : "anonymous");
  return principal;
}

/**
 * The embedded key page's token (server/auth/embeddedSessions.ts): accepted only in the
 * Authorization header of a request whose `Origin` is the one the platform named, never from a
 * cookie and never on /mcp. Unknown and ended tokens count against the client as wrong keys do.
 */
async function authenticateEmbedded(services: Services, request: Request, serverContext: ServerContext, token: string): Promise<Authentication> {
  const { prisma, rateLimits, config, metrics } = services;
  const client = throttledClient(request, serverContext, config.trustProxy);
  try {
    await rateLimits.authByClient.assertAllowed(client);
  } catch (limited) {
    if (!(limited instanceof KeywardError)) throw limited;
    metrics.authentication("rate_limited");
    return errorResponse(limited);
  }
  const principal = await embeddedPrincipal(prisma, token, request.headers.get("origin"));
  if (principal === "WRONG_ORIGIN") {
    metrics.authentication("forbidden");
    return errorResponse(forbidden("This embedded session is accepted only from the origin it was created for."));
  }
  if (principal === "ENDED") {
    metrics.authentication("unauthenticated");
    await rateLimits.authByClient.fail(client);
    return errorResponse(authFailure("UNAUTHENTICATED", "This embedded session has ended (expired, or its member left); ask the product for a new one."));
  }
  metrics.authentication("embedded");
  return principal;
}

/** The database (key lookup, shared throttle) failed: the caller learns only UNAVAILABLE. */
function unavailable(services: Services, error: unknown): Response {
  return unexpectedResponse(services.logger, error, "authentication");
}

/**
 * Authenticates every GraphQL request before its body is parsed: a request with a bad key
 * costs no parsing or validation, and learns nothing about the schema. The principal is put
 * in the server context, where the context factory finds it; an in-process caller (MCP)
 * arrives with it already there.
 */
export function useApiKeyAuth(services: Services): Plugin<{}, ServerContext> {
  return {
    onRequest({ request, url, endResponse, serverContext }) {
      if (url.pathname !== GRAPHQL_PATH || serverContext.principal !== undefined) return;
      const settled = (outcome: Authentication) => {
        if (outcome instanceof Response) return endResponse(outcome);
        if (outcome?.kind === "PLATFORM") {
          serverContext.principal = null;
          serverContext.platform = outcome;
        } else serverContext.principal = outcome;
      };
      const outcome = authenticate(services, request, serverContext, { allowSession: services.config.console, allowEmbedded: true });
      return outcome instanceof Promise ? outcome.then(settled) : settled(outcome);
    },
  };
}

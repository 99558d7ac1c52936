import type { Plugin } from "graphql-yoga";
import {
  endSession,
  redeemSignInLink,
  returnUrlOf,
  sessionCookie,
  sessionCookieOf,
  sessionPrincipal,
  sessionView,
  startSession,
  switchOrganization,
  wellFormedToken,
  type Member,
  type SigningIn,
} from "../auth/sessions.ts";
import { authFailure, badRequest, errorResponse, forbidden, KeywardError, sessionEnded, unexpectedResponse } from "../errors.ts";
import type { Services } from "../services.ts";
import { readLimited } from "./bodyLimit.ts";
import { CONSOLE_HEADERS, consoleFile, isConsoleFile } from "./consoleFiles.ts";
import { fromOwnPage, isSecure, throttledClient, type ServerContext } from "./request.ts";

export const SESSION_PATH = "/console/session";
const MAX_BODY_BYTES = 4_096;

/**
 * The console: its pages and files, and its one endpoint of its own, `/console/session` (sign
 * in, switch organization, sign out). Everything else the console does goes through the public
 * GraphQL API with the session's cookie (server/auth/plugin.ts). Off with KEYWARD_CONSOLE=false.
 */
export function useConsole(services: Services): Plugin<{}, ServerContext> {
  return {
    // Synchronous for every other path (the API's requests): nothing to await, no promise made.
    onRequest({ request, url, endResponse, serverContext }) {
      if (!services.config.console) return;
      if (url.pathname === SESSION_PATH) {
        return sessionEndpoint(services, request, serverContext)
          .catch((error: unknown) =>
            error instanceof KeywardError ? errorResponse(error) : unexpectedResponse(services.logger, error, "console session"),
          )
          .then((response) => {
            for (const [name, value] of Object.entries(CONSOLE_HEADERS)) response.headers.set(name, value);
            response.headers.set("cache-control", "no-store");
            endResponse(response);
          });
      }
      if (!isConsoleFile(url.pathname)) return;
      return consoleFile(url.pathname, request.method).then((file) => void (file && endResponse(file)));
    },
  };
}

async function sessionEndpoint(services: Services, request: Request, serverContext: ServerContext): Promise<Response> {
  const { prisma, config } = services;
  // A same-origin GET carries no Origin header; it changes nothing, and no other site can read its answer.
  const ownPage = request.method === "GET" ? Boolean(request.headers.get("x-graphql-csrf")) : fromOwnPage(request, config.publicUrl);
  if (!ownPage) throw forbidden("Only Keyward's own console page may do this (same origin, with the CSRF header).");
  const secure = isSecure(request, serverContext, config.trustProxy);
  const token = sessionCookieOf(request);

  switch (request.method) {
    case "POST": {
      const member = await signIn(services, request, serverContext);
      const started = await startSession(prisma, config, member);
      return json(await sessionView(prisma, member, member.returnUrl), 200, { "set-cookie": sessionCookie(started, secure, config.session.maxMs) });
    }
    case "GET":
    case "PATCH": {
      const principal = token ? await sessionPrincipal(prisma, config, token) : null;
      if (!principal?.sessionId || !principal.userId) throw sessionEnded();
      let member: Member = { userId: principal.userId, organizationId: principal.organizationId };
      if (request.method === "PATCH") {
        const { organizationId } = await body(request);
        if (typeof organizationId !== "string" || organizationId.length > 64) throw badRequest("Send { organizationId }.");
        member = { ...member, organizationId };
        if (!(await switchOrganization(prisma, principal.sessionId, member))) throw forbidden("You are not a member of that organization.");
      }
      return json(await sessionView(prisma, member, await returnUrlOf(prisma, principal.sessionId)));
    }
    case "DELETE":
      if (token) await endSession(prisma, token);
      return new Response(null, { status: 204, headers: { "set-cookie": sessionCookie(null, secure, 0) } });
    default:
      return new Response(null, { status: 405, headers: { allow: "GET, POST, PATCH, DELETE" } });
  }
}

/**
 * Who signs in: the person a one-time link was made for, or the owner of a personal key (a
 * service key belongs to no one). Wrong tokens and keys count against the client, as wrong keys
 * on the API do.
 */
async function signIn({ prisma, verifier, rateLimits, config }: Services, request: Request, serverContext: ServerContext): Promise<SigningIn> {
  const client = throttledClient(request, serverContext, config.trustProxy);
  await rateLimits.authByClient.assertAllowed(client);
  const input = await body(request);
  const refused = async (error: KeywardError) => {
    await rateLimits.authByClient.fail(client);
    return error;
  };
  if ("token" in input) {
    const token = wellFormedToken(input.token);
    const member = token ? await redeemSignInLink(prisma, token) : null;
    if (!member) throw await refused(authFailure("UNAUTHENTICATED", "This sign-in link is not valid: it was used, it expired, or it was never made."));
    return member;
  }
  if (typeof input.key !== "string" || input.key.length > 512) throw badRequest("Send { token } from a sign-in link, or { key }.");
  const verification = await verifier.verify(input.key.trim());
  if (!verification.ok) throw verification.code === "UNAUTHENTICATED" ? await refused(authFailure("UNAUTHENTICATED")) : authFailure(verification.code);
  const { principal } = verification;
  if (principal.kind !== "PERSONAL" || !principal.userId) {
    throw forbidden("A service key belongs to no one, so it cannot sign in; use a personal key.");
  }
  return { userId: principal.userId, organizationId: principal.organizationId, returnUrl: null };
}

async function body(request: Request): Promise<Record<string, unknown>> {
  if (!request.headers.get("content-type")?.toLowerCase().startsWith("application/json")) throw badRequest("Send JSON.", 415);
  const text = await readLimited(request, MAX_BODY_BYTES, () => badRequest(`The request body is over ${MAX_BODY_BYTES} bytes.`, 413));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest("The request body is not valid JSON.");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw badRequest("The request body must be a JSON object.");
  return parsed as Record<string, unknown>;
}

const json = (value: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });

import { GraphQLError } from "graphql";

/**
 * The closed list of error codes Keyward answers with, and the HTTP status each one sets.
 * Clients (and the SDK's `KeywardError`) branch on `extensions.code`, never on messages.
 */
export const errorStatus = {
  UNAUTHENTICATED: 401,
  API_KEY_DISABLED: 403,
  API_KEY_REVOKED: 403,
  API_KEY_EXPIRED: 403,
  FORBIDDEN: 403,
  HTTPS_REQUIRED: 403,
  IP_NOT_ALLOWED: 403,
  RATE_LIMITED: 429,
  BAD_USER_INPUT: 200,
  NOT_FOUND: 200,
  CONFLICT: 200,
  CONFIRMATION_REQUIRED: 200,
  LAST_ADMIN: 200,
  INVITATION_EXPIRED: 200,
  INVITATION_USED: 200,
  INVITATION_CANCELLED: 200,
  INTERNAL_SERVER_ERROR: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/** The codes an authentication attempt can end with (also what `verifyApiKey` answers). */
export type AuthFailureCode = "UNAUTHENTICATED" | "API_KEY_DISABLED" | "API_KEY_REVOKED" | "API_KEY_EXPIRED";

export class KeywardError extends GraphQLError {
  /** The status of a response that carries this error alone (Yoga reads it from `extensions.http`). */
  readonly httpStatus: number;
  readonly httpHeaders: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode,
    message: string,
    extra: Record<string, unknown> = {},
    headers?: Record<string, string>,
    status: number = errorStatus[code],
  ) {
    super(message, {
      extensions: {
        ...extra,
        code,
        ...(status === 200 ? {} : { http: { status, ...(headers ? { headers } : {}) } }),
      },
    });
    this.httpStatus = status;
    this.httpHeaders = headers ?? {};
  }
}

const authenticate = { "WWW-Authenticate": 'Bearer realm="keyward", charset="UTF-8"' };

export const unauthenticated = (message = "A valid API key is required.") =>
  new KeywardError("UNAUTHENTICATED", message, {}, authenticate);

/** A console session that was signed out, expired, or whose person left the organization. */
export const sessionEnded = () => unauthenticated("Your console session has ended; sign in again.");

/** A key with an allowlist (`allowedIps`) used from an address outside it. */
export const ipNotAllowed = () => new KeywardError("IP_NOT_ALLOWED", "This API key may not be used from this address.");

export const forbidden = (message = "This API key may not do that.") => new KeywardError("FORBIDDEN", message);

export const notFound = (what: string) => new KeywardError("NOT_FOUND", `${what} not found.`);

/**
 * A request authenticated just before its key (or organization) was deleted: what it asks about
 * is gone, as `apiKey(id)` would say. Not 401 (the request was authenticated; the next one gets
 * 401), and not a failure of the server.
 */
export function deletedMeanwhile(what: string): never {
  throw new KeywardError("NOT_FOUND", `${what} was deleted while the request ran.`);
}

export const badInput = (message: string, field?: string) =>
  new KeywardError("BAD_USER_INPUT", message, field ? { field } : {});

/** The request itself is malformed (not a value in it): BAD_USER_INPUT with an HTTP status (400, 411, 413). */
export const badRequest = (message: string, status = 400, headers?: Record<string, string>) =>
  new KeywardError("BAD_USER_INPUT", message, {}, headers, status);

/**
 * An unexpected failure outside GraphQL's own error handling (authentication, /mcp): logged
 * for the operator, answered with only its code.
 */
export function unexpectedResponse(logger: { error(...args: unknown[]): void }, error: unknown, during: string): Response {
  logger.error(error instanceof Error ? error : String(error), { during });
  return errorResponse(unexpected(error));
}

const authFailureMessages: Record<AuthFailureCode, string> = {
  UNAUTHENTICATED: "The API key is not valid.",
  API_KEY_DISABLED: "This API key is disabled.",
  API_KEY_REVOKED: "This API key has been revoked.",
  API_KEY_EXPIRED: "This API key has expired.",
};

export function authFailure(code: AuthFailureCode, message = authFailureMessages[code]): KeywardError {
  return code === "UNAUTHENTICATED" ? unauthenticated(message) : new KeywardError(code, message);
}

/**
 * graphql-js's own request errors (syntax, validation, variable coercion) are the caller's
 * bad input: same code as ours, HTTP status kept as Yoga set it.
 */
export function asBadUserInput(error: GraphQLError): GraphQLError {
  if (error instanceof KeywardError || error.extensions.code === "BAD_USER_INPUT") return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code: "BAD_USER_INPUT" },
  });
}

/**
 * Prisma: can't reach (P1001), timed out reaching (P1002), socket timeout (P1008), server closed
 * the connection (P1017), pool timeout (P2024), transaction not started or expired in time
 * (P2028), too many connections (P2037).
 */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028", "P2037"]);
/** @prisma/adapter-pg's kinds for the same (under P2010/P2039 for raw queries and other SQLSTATEs). */
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), class 53 (insufficient resources: too
 * many connections, disk full, out of memory), 57P01–57P03 (administrator or crash shutdown,
 * cannot connect now), 57014 (statement timeout), 55P03 (lock timeout), 25P03 (idle in
 * transaction too long), 25006 (read-only: a standby after a failover), 55000 (not accepting
 * connections).
 */
const SQLSTATE = /^(08[0-9A-Z]{3}|53[0-9A-Z]{3}|57P0[123]|57014|55P03|25P03|25006|55000)$/;
/** Node's socket errors. */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "EHOSTDOWN", "ENETUNREACH", "ENETDOWN"]);
/**
 * node-postgres raises these as plain Errors without a code (connection lost or timed out, pool
 * exhausted or closed), and @prisma/adapter-pg passes them through as they are: their fixed
 * texts are all there is to tell them by.
 */
const PG_MESSAGES = [
  "Connection terminated",
  "Connection terminated unexpectedly",
  "Connection terminated due to connection timeout",
  "timeout exceeded when trying to connect",
  "Query read timeout",
  "Client has encountered a connection error and is not queryable",
  "Client was closed and is not queryable",
  "Cannot use a pool after calling end on the pool",
];

/**
 * The database is down, unreachable, dropped the connection, or did not answer in time:
 * retryable, 503. Told by codes wherever the error has one, looking through its causes and
 * Prisma's driver-adapter error (`meta.driverAdapterError`), never by Prisma's message text.
 */
export function isUnavailable(error: unknown): boolean {
  for (const candidate of causes(error)) {
    const { code, errorCode, kind, originalCode, message } = candidate as Record<string, unknown>;
    for (const value of [code, errorCode, originalCode]) {
      if (typeof value !== "string") continue;
      if (PRISMA_CODES.has(value) || SOCKET_CODES.has(value) || SQLSTATE.test(value)) return true;
    }
    if (typeof kind === "string" && ADAPTER_KINDS.has(kind)) return true;
    if (candidate instanceof Error && code === undefined && PG_MESSAGES.includes(String(message))) return true;
  }
  return false;
}

/** The error, its causes, Prisma's driver-adapter error and its cause, and aggregated errors. */
function causes(error: unknown): unknown[] {
  const found: unknown[] = [];
  const queue = [error];
  while (queue.length > 0 && found.length < 20) {
    const next = queue.shift();
    if (typeof next !== "object" || next === null || found.includes(next)) continue;
    found.push(next);
    const { cause, meta, originalError, errors } = next as Record<string, unknown>;
    queue.push(cause, originalError, (meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return found;
}

/** How long a client should wait before retrying a request the database could not serve. */
export const RETRY_AFTER_SECONDS = 5;

export const internalError = () => new KeywardError("INTERNAL_SERVER_ERROR", "Unexpected error.");

/** What a caller sees of a failure Keyward did not expect: its code and nothing of its cause. */
export function unexpected(error: unknown): KeywardError {
  return isUnavailable(error)
    ? new KeywardError("UNAVAILABLE", "The database is unavailable; try again shortly.", {}, { "Retry-After": String(RETRY_AFTER_SECONDS) })
    : internalError();
}

/**
 * The one JSON error body of GraphQL over HTTP outside GraphQL's own execution (refused routes,
 * bodies and keys): `{ errors: [{ message, extensions }] }` with the error's status and headers.
 */
export function errorResponse(error: KeywardError): Response {
  const { http: _http, ...extensions } = error.extensions;
  return new Response(JSON.stringify({ errors: [{ message: error.message, extensions }] }), {
    status: error.httpStatus,
    headers: { "content-type": "application/json; charset=utf-8", ...error.httpHeaders },
  });
}

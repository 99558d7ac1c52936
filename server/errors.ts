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
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>) {
    const status = errorStatus[code];
    super(message, {
      extensions: {
        ...extra,
        code,
        ...(status === 200 ? {} : { http: { status, ...(headers ? { headers } : {}) } }),
      },
    });
  }
}

const authenticate = { "WWW-Authenticate": 'Bearer realm="keyward", charset="UTF-8"' };

export const unauthenticated = (message = "A valid API key is required.") =>
  new KeywardError("UNAUTHENTICATED", message, {}, authenticate);

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
  new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", http: { status, ...(headers ? { headers } : {}) } } });

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

/** The database is down, or too busy to give a connection in time (P2028): retryable, 503. */
export function isUnavailable(error: unknown): boolean {
  const text = String((error as { code?: string })?.code ?? "") + String((error as Error)?.message ?? "");
  // Driver and Prisma codes, and PostgreSQL's SQLSTATEs for a server that refuses or drops
  // connections (55000 not accepting, 57P0x shutting down, 53300 too many, 08xxx connection).
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|P1001|P1002|P1017|P2028|\b(55000|57P0[123]|53300|0800[0-6])\b|Connection terminated|Unable to start a transaction|Can't reach database|timeout exceeded when trying to connect|not currently accepting connections|terminating connection/i.test(
    text,
  );
}

/** What a caller sees of a failure Keyward did not expect: its code and nothing of its cause. */
export function unexpected(error: unknown): KeywardError {
  return isUnavailable(error)
    ? new KeywardError("UNAVAILABLE", "The database is unavailable; try again shortly.")
    : new KeywardError("INTERNAL_SERVER_ERROR", "Unexpected error.");
}

/**
 * A whole-request refusal (before any GraphQL runs) in GraphQL-over-HTTP's shape:
 * `{ errors: [{ message, extensions: { code } }] }` with the code's status and headers.
 */
export function errorResponse(error: unknown, message?: string): Response {
  const keyward =
    error instanceof KeywardError
      ? error
      : typeof error === "string" && error in errorStatus
        ? error === "UNAUTHENTICATED" || error.startsWith("API_KEY_")
          ? authFailure(error as AuthFailureCode, message)
          : new KeywardError(error as ErrorCode, message ?? "Request refused.")
        : new KeywardError("INTERNAL_SERVER_ERROR", "Unexpected error.");
  const { http, ...extensions } = keyward.extensions as { http?: { status?: number; headers?: Record<string, string> } };
  return new Response(JSON.stringify({ errors: [{ message: keyward.message, extensions }] }), {
    status: http?.status ?? 200,
    headers: { "content-type": "application/json; charset=utf-8", ...http?.headers },
  });
}

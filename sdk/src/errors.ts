import { ClientError } from "graphql-request";

// The SDK is published without the server, so it keeps its own copy of the server's codes
// (errorStatus in server/errors.ts); test/sdk-errors.test.ts fails when the two lists differ.
export const keywardErrorCodes = [
  "UNAUTHENTICATED",
  "API_KEY_DISABLED",
  "API_KEY_REVOKED",
  "API_KEY_EXPIRED",
  "FORBIDDEN",
  "HTTPS_REQUIRED",
  "IP_NOT_ALLOWED",
  "RATE_LIMITED",
  "BAD_USER_INPUT",
  "NOT_FOUND",
  "CONFLICT",
  "CONFIRMATION_REQUIRED",
  "LAST_ADMIN",
  "INVITATION_EXPIRED",
  "INVITATION_USED",
  "INVITATION_CANCELLED",
  "INTERNAL_SERVER_ERROR",
  "UNAVAILABLE",
  "NETWORK_ERROR",
  "API_KEY_MISSING",
] as const;

/**
 * Every code Keyward answers with (`errors[].extensions.code`), plus `NETWORK_ERROR` when no
 * answer from Keyward came: the request failed (DNS, refused, reset), or whatever answered was
 * not Keyward's GraphQL endpoint (a wrong URL, a proxy's error page; `status` says what it sent),
 * and `API_KEY_MISSING` when the client has no key to send (see `KeywardOptions.apiKey`): nothing
 * was sent.
 */
export type KeywardErrorCode = (typeof keywardErrorCodes)[number];

const knownCodes: ReadonlySet<string> = new Set(keywardErrorCodes);

/** One GraphQL error of Keyward's response, as sent. */
export interface KeywardGraphQLError {
  message: string;
  path?: ReadonlyArray<string | number> | undefined;
  locations?: ReadonlyArray<{ line: number; column: number }> | undefined;
  /** `code` is here, and what some codes carry (`lastUsedAt` for CONFIRMATION_REQUIRED, `field` for BAD_USER_INPUT…). */
  extensions?: Record<string, unknown> | undefined;
}

export interface KeywardErrorDetails {
  code: KeywardErrorCode;
  /** @default 0 */
  status?: number;
  /** @default [] */
  errors?: readonly KeywardGraphQLError[];
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** A refusal or failure, with Keyward's code: branch on `code`, never on `message`. */
export class KeywardError extends Error {
  override readonly name = "KeywardError";
  /** Keyward's `extensions.code` (e.g. `API_KEY_REVOKED`), or the SDK's own `NETWORK_ERROR` / `API_KEY_MISSING`. */
  readonly code: KeywardErrorCode;
  /** The HTTP status of the answer: 200 for refusals inside a GraphQL response, 0 when no answer came. */
  readonly status: number;
  /** The GraphQL errors of the response, as sent (empty when there were none). */
  readonly errors: readonly KeywardGraphQLError[];
  /** Seconds the server asked to wait before trying again (with 429 and 503), when it said. */
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, details: KeywardErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.status = details.status ?? 0;
    this.errors = details.errors ?? [];
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** What graphql-request threw, as a KeywardError; an abort is passed through untouched. */
export function toKeywardError(caught: unknown): unknown {
  if (caught instanceof KeywardError || isAbort(caught)) return caught;
  if (!(caught instanceof ClientError)) {
    return new KeywardError(`Keyward could not be reached: ${caught instanceof Error ? caught.message : String(caught)}`, {
      code: "NETWORK_ERROR",
      cause: caught,
    });
  }
  const { status, headers } = caught.response;
  const errors: KeywardGraphQLError[] = Array.isArray(caught.response.errors) ? [...caught.response.errors] : [];
  const sent = errors[0]?.extensions?.code;
  const retryAfterSeconds = parseRetryAfter((headers as Headers | undefined)?.get?.("retry-after") ?? null);
  return new KeywardError(errors[0]?.message ?? `Keyward's endpoint answered HTTP ${status} without a GraphQL response.`, {
    code: typeof sent === "string" && knownCodes.has(sent) ? (sent as KeywardErrorCode) : codeForStatus(status, errors.length > 0),
    status,
    errors,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
}

/** A code this SDK does not know (a newer server), or an answer with none (a proxy): go by the status. */
function codeForStatus(status: number, graphqlErrors: boolean): KeywardErrorCode {
  if (status === 401) return "UNAUTHENTICATED";
  if (status === 403) return "FORBIDDEN";
  if (status === 429) return "RATE_LIMITED";
  if (status === 502 || status === 503 || status === 504) return "UNAVAILABLE";
  if (status >= 500) return "INTERNAL_SERVER_ERROR";
  return graphqlErrors ? "BAD_USER_INPUT" : "NETWORK_ERROR";
}

/** `Retry-After` in seconds, from its delay-seconds or HTTP-date form. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

export function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

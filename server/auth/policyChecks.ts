import { errorResponse, ipNotAllowed } from "../errors.ts";
import { describeRequest, type ServerContext } from "../http/request.ts";
import type { KeyLimits, RateLimitState } from "../infra/keyLimits.ts";
import { rateLimited } from "../infra/rateLimit.ts";
import type { Services } from "../services.ts";
import type { KeyLimitsOfRecord } from "./principal.ts";

/**
 * A valid key's own limits on Keyward's API: its allowlist against the client's address (the
 * socket's, or the trusted proxy's entry with KEYWARD_TRUST_PROXY), then its rate limit (this
 * request counts as a use). The refusal to send, or `undefined` to go on. An allowlist is
 * answered from memory; a rate limit from memory, or with one round trip on PostgreSQL.
 */
export function refusedByLimits(
  { config, keyLimits, metrics }: Services,
  request: Request,
  serverContext: ServerContext,
  keyId: string,
  limits: KeyLimitsOfRecord,
): Response | undefined | Promise<Response | undefined> {
  if (limits.allowlist && !limits.allowlist.allows(describeRequest(request, serverContext, config.trustProxy).ip)) {
    metrics.authentication("ip_not_allowed");
    return errorResponse(ipNotAllowed());
  }
  if (!limits.rateLimit) return undefined;
  return keyLimits.consume(keyId, limits.rateLimit).then((state) => {
    if (state.allowed) return undefined;
    metrics.authentication("rate_limited");
    return errorResponse(rateLimited((state.resetAt.getTime() - Date.now()) / 1000, "This API key's rate limit is reached"));
  });
}

/** Why verifyApiKey refuses a key that is itself valid: one of its own limits. */
export type PolicyRefusal = "IP_NOT_ALLOWED" | "RATE_LIMITED" | "USAGE_EXCEEDED";

export interface PolicyOutcome {
  code: PolicyRefusal | null;
  /** For a key with a rate limit: where it stands (also when refused for another reason). */
  rateLimit: RateLimitState | null;
  /** For a key with credits, once they were looked at: what is left. */
  credits: { remaining: number } | null;
}

const NO_LIMITS: PolicyOutcome = { code: null, rateLimit: null, credits: null };

/**
 * A valid key's limits as verifyApiKey applies them, in order: allowlist against the `ip` the
 * product passed (none given while a list is set: refused), rate limit (this verification counts
 * as a use), then credits (`cost` spent only when everything else let it through).
 */
export async function verificationLimits(
  keyLimits: KeyLimits,
  keyId: string,
  limits: KeyLimitsOfRecord | null,
  ip: string | null,
  cost: number,
): Promise<PolicyOutcome> {
  if (!limits) return NO_LIMITS;
  if (limits.allowlist && !limits.allowlist.allows(ip)) {
    return { code: "IP_NOT_ALLOWED", rateLimit: limits.rateLimit ? await keyLimits.peek(keyId, limits.rateLimit) : null, credits: null };
  }
  if (!limits.rateLimit && !limits.credits) return NO_LIMITS;
  const { rateLimit, credits: spent } = await keyLimits.use(keyId, limits.rateLimit, limits.credits, cost);
  if (rateLimit && !rateLimit.allowed) return { code: "RATE_LIMITED", rateLimit, credits: null };
  if (spent && !spent.ok) return { code: "USAGE_EXCEEDED", rateLimit, credits: { remaining: spent.remaining } };
  return { code: null, rateLimit, credits: spent ? { remaining: spent.remaining } : null };
}

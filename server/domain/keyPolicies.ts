import { isIP } from "node:net";
import { badInput } from "../errors.ts";
import type { CreditRefillInterval } from "../generated/prisma/client.ts";
import { parseIpRanges } from "./ipRanges.ts";

/**
 * A key's own limits: where it may be used from, how often, and how many credits
 * `verifyApiKey` may spend. Each is optional; a key without any behaves as before.
 */
export interface RateLimitPolicy {
  limit: number;
  windowSeconds: number;
}

export interface CreditsPolicy {
  remaining: number;
  /** Both set or both null: `remaining` goes back to `refillAmount` at the start of each UTC day or month. */
  refillAmount: number | null;
  refillInterval: CreditRefillInterval | null;
}

export interface KeyPolicy {
  /** Normalized entries; `null`: used from anywhere. */
  allowedIps: string[] | null;
  rateLimit: RateLimitPolicy | null;
  credits: CreditsPolicy | null;
}

/** A change asked for: `undefined` leaves a part as it is, `null` removes it. */
export type PolicyChange = { [P in keyof KeyPolicy]?: KeyPolicy[P] };

export interface RateLimitInput {
  limit: number;
  windowSeconds: number;
}

export interface CreditsInput {
  remaining: number;
  refillAmount?: number | null;
  refillInterval?: CreditRefillInterval | null;
}

export interface PolicyInput {
  allowedIps?: readonly string[] | null;
  rateLimit?: RateLimitInput | null;
  credits?: CreditsInput | null;
}

/** Larger numbers are no limit at all, only a typo or an overflow waiting to happen. */
export const MAX_POLICY_NUMBER = 1_000_000_000;
export const MAX_WINDOW_SECONDS = 86_400;

function within(value: number, min: number, max: number, field: string): number {
  if (!Number.isInteger(value) || value < min || value > max) throw badInput(`${field} must be a whole number from ${min} to ${max}.`, field);
  return value;
}

/** Checks every part before anything is written (BAD_USER_INPUT naming the field), so nothing is half-applied. */
export function validPolicyChange(input: PolicyInput): PolicyChange {
  const change: PolicyChange = {};
  if (input.allowedIps !== undefined) {
    const ranges = input.allowedIps === null ? [] : parseIpRanges(input.allowedIps, "allowedIps");
    change.allowedIps = ranges.length === 0 ? null : ranges;
  }
  if (input.rateLimit !== undefined) {
    change.rateLimit =
      input.rateLimit === null
        ? null
        : {
            limit: within(input.rateLimit.limit, 1, MAX_POLICY_NUMBER, "rateLimit.limit"),
            windowSeconds: within(input.rateLimit.windowSeconds, 1, MAX_WINDOW_SECONDS, "rateLimit.windowSeconds"),
          };
  }
  if (input.credits !== undefined) {
    if (input.credits === null) change.credits = null;
    else {
      const { remaining, refillAmount = null, refillInterval = null } = input.credits;
      if ((refillAmount === null) !== (refillInterval === null)) {
        throw badInput("credits.refillAmount and credits.refillInterval go together: set both or neither.", refillAmount === null ? "credits.refillAmount" : "credits.refillInterval");
      }
      change.credits = {
        remaining: within(remaining, 0, MAX_POLICY_NUMBER, "credits.remaining"),
        refillAmount: refillAmount === null ? null : within(refillAmount, 0, MAX_POLICY_NUMBER, "credits.refillAmount"),
        refillInterval,
      };
    }
  }
  return change;
}

/** `cost` of one verification: 0 checks without spending. */
export function validCost(cost: number | null | undefined): number {
  return cost == null ? 1 : within(cost, 0, MAX_POLICY_NUMBER, "cost");
}

/** The `ip` a product passes to verifyApiKey: an address (not a range), or BAD_USER_INPUT. */
export function validClientIp(ip: string | null | undefined): string | null {
  if (ip == null) return null;
  const address = ip.trim();
  // isIP takes IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as IPv6; the allowlist matches it as its IPv4 address.
  if (isIP(address) === 0) throw badInput("ip must be an IPv4 or IPv6 address.", "ip");
  return address;
}

/** The key's columns (the Prisma model's), as stored. */
export interface PolicyColumns {
  allowedIps: string[];
  rateLimit: number | null;
  rateLimitWindowSeconds: number | null;
  creditsRemaining: number | null;
  creditsRefillAmount: number | null;
  creditsRefillInterval: CreditRefillInterval | null;
  creditsRefilledAt: Date | null;
}

/** The start of the UTC period `at` falls in: a refill is due once one has begun since the last. */
export function periodStart(interval: CreditRefillInterval, at: number): Date {
  const date = new Date(at);
  return interval === "DAILY"
    ? new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()))
    : new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
}

/** The policy as it stands at `now`: credits include a refill that is due but not yet written (refills are applied when spent). */
export function policyOf(row: PolicyColumns, now = Date.now()): KeyPolicy {
  let credits: CreditsPolicy | null = null;
  if (row.creditsRemaining !== null) {
    const due =
      row.creditsRefillInterval !== null &&
      row.creditsRefillAmount !== null &&
      (row.creditsRefilledAt === null || row.creditsRefilledAt < periodStart(row.creditsRefillInterval, now));
    credits = {
      remaining: due ? row.creditsRefillAmount! : row.creditsRemaining,
      refillAmount: row.creditsRefillAmount,
      refillInterval: row.creditsRefillInterval,
    };
  }
  return {
    allowedIps: row.allowedIps.length > 0 ? row.allowedIps : null,
    rateLimit: row.rateLimit !== null && row.rateLimitWindowSeconds !== null ? { limit: row.rateLimit, windowSeconds: row.rateLimitWindowSeconds } : null,
    credits,
  };
}

/** The columns a change writes (only the parts it names). */
export function policyData(change: PolicyChange, now = new Date()): Partial<PolicyColumns> {
  const data: Partial<PolicyColumns> = {};
  if (change.allowedIps !== undefined) data.allowedIps = change.allowedIps ?? [];
  if (change.rateLimit !== undefined) {
    data.rateLimit = change.rateLimit?.limit ?? null;
    data.rateLimitWindowSeconds = change.rateLimit?.windowSeconds ?? null;
  }
  if (change.credits !== undefined) {
    data.creditsRemaining = change.credits?.remaining ?? null;
    data.creditsRefillAmount = change.credits?.refillAmount ?? null;
    data.creditsRefillInterval = change.credits?.refillInterval ?? null;
    data.creditsRefilledAt = change.credits ? now : null;
  }
  return data;
}

/** The policy after `change`. */
export function applied(before: KeyPolicy, change: PolicyChange): KeyPolicy {
  return {
    allowedIps: change.allowedIps !== undefined ? change.allowedIps : before.allowedIps,
    rateLimit: change.rateLimit !== undefined ? change.rateLimit : before.rateLimit,
    credits: change.credits !== undefined ? change.credits : before.credits,
  };
}

/**
 * The parts of `after` that allow more than `before` (what a member may not do to their own key).
 * Tighter means, part by part:
 * - allowedIps: a list where there was none, or every new entry inside one existing entry's range;
 * - rateLimit: one where there was none, or a limit no higher over a window no shorter;
 * - credits: credits where there were none, or no more remaining, and a refill no larger and no
 *   more frequent (DAILY → MONTHLY is tighter; a refill where there was none is looser; dropping
 *   the refill is tighter).
 * Removing a part that was set is always looser.
 */
export function loosenedParts(before: KeyPolicy, after: KeyPolicy): string[] {
  const loosened: string[] = [];
  if (before.allowedIps !== null && (after.allowedIps === null || !after.allowedIps.every((entry) => before.allowedIps!.some((range) => rangeContains(range, entry))))) {
    loosened.push("allowedIps");
  }
  const [r0, r1] = [before.rateLimit, after.rateLimit];
  if (r0 !== null && (r1 === null || r1.limit > r0.limit || r1.windowSeconds < r0.windowSeconds)) loosened.push("rateLimit");
  const [c0, c1] = [before.credits, after.credits];
  if (c0 !== null && (c1 === null || c1.remaining > c0.remaining || refillLooser(c0, c1))) loosened.push("credits");
  return loosened;
}

function refillLooser(before: CreditsPolicy, after: CreditsPolicy): boolean {
  if (after.refillAmount === null) return false;
  if (before.refillAmount === null) return true;
  return after.refillAmount > before.refillAmount || (before.refillInterval === "MONTHLY" && after.refillInterval === "DAILY");
}

/** Whether normalized entry `inner` (an address or CIDR range) lies wholly inside `outer`. */
export function rangeContains(outer: string, inner: string): boolean {
  const o = asCidr(outer);
  const i = asCidr(inner);
  if (o.family !== i.family || i.prefix < o.prefix) return false;
  const [network] = parseIpRanges([`${i.address}/${o.prefix}`], "allowedIps");
  return network === `${o.address}/${o.prefix}`;
}

function asCidr(entry: string): { address: string; prefix: number; family: number } {
  const [address = "", prefix] = entry.split("/");
  const family = isIP(address);
  return { address, family, prefix: prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix) };
}

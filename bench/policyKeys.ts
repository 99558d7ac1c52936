import type { Database } from "../server/db.ts";
import { issueKey } from "../server/domain/apiKeys.ts";
import type { Actor } from "../server/domain/audit.ts";
import { validPolicyChange } from "../server/domain/keyPolicies.ts";
import { createOrganization } from "../server/domain/organizations.ts";

export interface PolicyKeys {
  /** A SERVICE key holding only KEYS_VERIFY: the caller of `verifyApiKey`. */
  verifierKey: string;
  /** A key with no policy. */
  plainKey: string;
  /** A key with a rate limit too high to trigger (10^9 per 60 s) and 10^9 credits refilled daily: every check runs, none refuses. */
  policyKey: string;
  organizationId: string;
}

/**
 * For the "verifyApiKey with a policy key vs a plain key" row: one organization, its verifier
 * key, and the two keys to verify, issued straight through the domain (as `keyward` on the
 * machine would), on an open database like `seedLargeOrganization`'s. Run it before the server
 * under test starts, or on ids it has never seen (these are new), so no cache holds them.
 */
export async function seedPolicyKeys(db: Database): Promise<PolicyKeys> {
  const created = await createOrganization({ prisma: db.prisma }, { organizationName: "Bench policies", email: `bench-policy-${Date.now()}@example.com` });
  const actor: Actor = { ip: null, userAgent: null, organizationId: created.organization.id, keyId: null, userId: created.user.id, via: "cli" };
  const policy = validPolicyChange({
    rateLimit: { limit: 1_000_000_000, windowSeconds: 60 },
    credits: { remaining: 1_000_000_000, refillAmount: 1_000_000_000, refillInterval: "DAILY" },
  });
  const issue = (name: string, scopes: ["KEYS_VERIFY"] | [], withPolicy: boolean) =>
    db.prisma.$transaction((tx) =>
      issueKey(tx, actor, { kind: "SERVICE", ownerId: null, name, environment: "LIVE", scopes, expiresAt: null, ...(withPolicy ? { policy } : {}) }),
    );
  const verifier = await issue("bench verifier", ["KEYS_VERIFY"], false);
  const plain = await issue("bench plain", [], false);
  const limited = await issue("bench policy", [], true);
  return { verifierKey: verifier.secret, plainKey: plain.secret, policyKey: limited.secret, organizationId: created.organization.id };
}

import { gql, mutation } from "./http.ts";

export const DAY = 86_400_000;
export const POLICY = `{ maxKeyLifetimeDays requireExpiry disableUnusedAfterDays defaultAllowedIps }`;
export const UPDATE_POLICY = mutation("updateOrganizationPolicy", `{ organization { id policy ${POLICY} } }`);
export const AUDIT = `query($action: AuditAction) { auditEvents(action: $action, first: 100) { edges { node { action actorKeyId actorUserId targetId metadata } } } }`;
export const inDays = (days: number, from = Date.now()) => new Date(from + days * DAY).toISOString();

/** Sets the organization's key policy with `key` (an admin's) through the API; returns the policy as it is now. */
export async function setPolicy(key: string, input: Record<string, unknown>) {
  const result = await gql(UPDATE_POLICY, { key, variables: { i: input } });
  if (!result.data?.updateOrganizationPolicy) throw new Error(`updateOrganizationPolicy failed: ${result.text}`);
  return result.data.updateOrganizationPolicy.organization.policy;
}

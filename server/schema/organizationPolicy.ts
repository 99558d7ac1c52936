import { builder } from "../builder.ts";
import { change, platformChange } from "../domain/change.ts";
import { DEFAULT_REQUIRED_EXPIRY_DAYS, pick, policySelect, POLICY_MAX_DAYS, updatePolicy, type OrganizationPolicy } from "../domain/organizationPolicy.ts";
import { MAX_IP_RANGES } from "../domain/ipRanges.ts";
import { badInput, forbidden } from "../errors.ts";
import type { Organization as OrganizationRow } from "../generated/prisma/client.ts";
import { Organization } from "./organization.ts";

const OrganizationPolicyType = builder.objectRef<OrganizationPolicy>("OrganizationPolicy").implement({
  description: "The organization's rules for its keys (set by admins with updateOrganizationPolicy).",
  fields: (t) => ({
    maxKeyLifetimeDays: t.exposeInt("maxKeyLifetimeDays", {
      nullable: true,
      description: "New and rotated keys must expire within this many days (so they must expire). Existing keys are reported (`apiKeys(violatesPolicy: true)`), not changed.",
    }),
    requireExpiry: t.exposeBoolean("requireExpiry", { description: "New and rotated keys must have an expiresAt." }),
    disableUnusedAfterDays: t.exposeInt("disableUnusedAfterDays", {
      nullable: true,
      description:
        "Enabled keys unused this many days (counted from their last use, or their creation or last re-enabling when later) are disabled by a periodic sweep, audited API_KEY_DISABLED with reason dormant.",
    }),
    defaultAllowedIps: t.exposeStringList("defaultAllowedIps", {
      description: "The IP allowlist (addresses and CIDR ranges, canonical form) a new key gets when it names none of its own; empty: none.",
    }),
  }),
});

builder.prismaObjectField(Organization, "policy", (t) =>
  t.field({ type: OrganizationPolicyType, select: policySelect, resolve: (organization) => pick(organization) }),
);

const DAYS = `1 to ${POLICY_MAX_DAYS}; null clears it; left out, unchanged.`;
const UpdateOrganizationPolicyInput = builder.inputType("UpdateOrganizationPolicyInput", {
  fields: (t) => ({
    organizationId: t.id({ description: "Platform keys only (required for them): the organization whose policy changes." }),
    maxKeyLifetimeDays: t.int({ description: `Longest lifetime of a new or rotated key's secret, in days: ${DAYS}` }),
    requireExpiry: t.boolean({
      description: `New and rotated keys must have an expiresAt (keys Keyward issues unasked, for agents and invitations, get ${DEFAULT_REQUIRED_EXPIRY_DAYS} days or maxKeyLifetimeDays). null clears it (false).`,
    }),
    disableUnusedAfterDays: t.int({ description: `Disable enabled keys unused this many days: ${DAYS}` }),
    defaultAllowedIps: t.stringList({ description: `IPv4/IPv6 addresses and CIDR ranges (at most ${MAX_IP_RANGES}) new keys get when they name none; null or [] clears it.` }),
  }),
});
const UpdateOrganizationPolicyPayload = builder.objectRef<{ organization: OrganizationRow }>("UpdateOrganizationPolicyPayload").implement({
  fields: (t) => ({ organization: t.expose("organization", { type: Organization }) }),
});

builder.mutationField("updateOrganizationPolicy", (t) =>
  t.withAuth({ $any: { scope: "ORG_WRITE", platform: "PLATFORM_WRITE" } }).field({
    type: UpdateOrganizationPolicyPayload,
    nullable: true,
    description:
      "Sets the organization's key policy (admins: ORG_WRITE). Fields left out stay as they are; null clears one. Applies to keys created or rotated from now on; existing keys that break it are listed by apiKeys(violatesPolicy: true). A platform key (PLATFORM_WRITE) names organizationId.",
    args: { input: t.arg({ type: UpdateOrganizationPolicyInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { organizationId, ...update } = input;
      if (!context.principal) {
        if (!context.platform) throw forbidden();
        if (organizationId == null) throw badInput("A platform key names the organization: pass organizationId.", "organizationId");
        return platformChange({ ...context, platform: context.platform }, async (step) => ({
          organization: await updatePolicy(step.tx, step.actorIn(String(organizationId)), update),
        }));
      }
      if (organizationId != null) throw forbidden("Only platform keys set organizationId.");
      return change({ ...context, principal: context.principal, platform: null }, async ({ tx, caller, actor }) => {
        // The owner may have been demoted since the request was let in.
        if (!caller.scopes.has("ORG_WRITE")) throw forbidden("Only admins change the organization's policy.");
        return { organization: await updatePolicy(tx, actor, update) };
      });
    },
  }),
);

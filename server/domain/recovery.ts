import { issueKey } from "./apiKeys.ts";
import { currentPolicy, defaultExpiry } from "./organizationPolicy.ts";
import type { Actor } from "./audit.ts";
import { keylessChange, lockMembership, type KeylessServices } from "./change.ts";
import { validEmail } from "./organizations.ts";
import { scopes } from "../auth/scopes.ts";
import { badInput, forbidden, notFound } from "../errors.ts";
import type { ApiKey, Organization, User } from "../generated/prisma/client.ts";

export interface Recovered {
  organization: Pick<Organization, "id" | "name" | "slug">;
  user: Pick<User, "id" | "email">;
  apiKey: ApiKey;
  secret: string;
}

/**
 * A new personal admin key for an admin who lost theirs, made on Keyward's machine (`keyward
 * recover`): no key authenticates it, so only the person with the database may. Audited as
 * `API_KEY_CREATED` with `reason: "recovery"`; no person or key is its actor.
 */
export function recoverAdminKey(services: KeylessServices, input: { email: string; organizationSlug?: string | undefined }): Promise<Recovered> {
  const email = validEmail(input.email, "--email");
  return keylessChange(services, async ({ tx }) => {
    const memberships = await tx.membership.findMany({
      where: { user: { email }, ...(input.organizationSlug ? { organization: { slug: input.organizationSlug } } : {}) },
      select: { role: true, user: { select: { id: true, email: true } }, organization: { select: { id: true, name: true, slug: true } } },
      orderBy: { createdAt: "asc" },
    });
    if (memberships.length === 0) throw notFound(`A member ${email}${input.organizationSlug ? ` of ${input.organizationSlug}` : ""}`);
    const admins = memberships.filter((m) => m.role === "ADMIN");
    if (admins.length === 0) throw forbidden(`${email} is not an admin${input.organizationSlug ? ` of ${input.organizationSlug}` : " of any organization"}; only an admin's key is recovered.`);
    if (admins.length > 1) {
      const slugs = admins.map((m) => m.organization.slug).join(", ");
      throw badInput(`${email} is an admin of several organizations (${slugs}); name one with --org <slug>.`, "--org");
    }
    const { user, organization } = admins[0]!;
    // Still an admin when the key is made (a demotion racing the recovery wins or waits).
    if ((await lockMembership(tx, organization.id, user.id, "share"))?.role !== "ADMIN") throw forbidden(`${email} is no longer an admin.`);
    const actor: Actor = { ip: null, userAgent: null, organizationId: organization.id, keyId: null, userId: null };
    const issued = await issueKey(
      tx,
      actor,
      {
        kind: "PERSONAL",
        ownerId: user.id,
        name: `Recovery key ${new Date().toISOString().slice(0, 10)}`,
        environment: "LIVE",
        scopes,
        // As long as the organization's policy allows (no limit: no expiry).
        expiresAt: defaultExpiry(await currentPolicy(tx, organization.id)),
      },
      "API_KEY_CREATED",
      { reason: "recovery", via: "cli", ownerId: user.id },
    );
    return { organization, user, ...issued };
  });
}

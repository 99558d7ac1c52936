import type { Config } from "../config.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { keylessChange } from "./change.ts";
import { createOrganizationIn, type NewOrganization } from "./organizations.ts";

// Taken for the check-and-create, so two instances booting on one empty database create one organization.
const FIRST_BOOT_LOCK = 5_148_201_777;

/** On an empty database: the first organization, its admin and the admin's first key. Otherwise nothing. */
export async function firstBoot(prisma: PrismaClient, config: Config): Promise<NewOrganization | null> {
  return keylessChange({ prisma }, async (step) => {
    await step.tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${FIRST_BOOT_LOCK})`);
    if ((await step.tx.organization.count()) > 0) return null;
    return createOrganizationIn(step, {
      organizationName: config.bootstrap.organizationName,
      email: config.bootstrap.adminEmail,
      keyName: "First admin key",
    });
  });
}

export function firstBootBanner(created: NewOrganization, signInUrl: string | null = null): string {
  return [
    "",
    `First boot: created organization "${created.organization.name}" with admin ${created.user.email}.`,
    "Admin API key (shown this once; it will not be shown again, so store it now):",
    "",
    `    ${created.secret}`,
    "",
    ...(signInUrl ? [`Sign in to the console: ${signInUrl}`, "(a one-time link, valid for 15 minutes; `keyward signin-link --email <email>` makes another)", ""] : []),
    `Try it: curl -s localhost:PORT/graphql -H 'X-API-Key: ${created.secret}' -H 'Content-Type: application/json' -d '{"query":"{ viewer { organization { name } scopes } }"}'`,
    "",
  ].join("\n");
}

import { validName } from "../domain/apiKeys.ts";
import type { Config } from "../config.ts";
import { openDatabase } from "../db.ts";
import { KeywardError } from "../errors.ts";
import { createOrganization, validEmail } from "../domain/organizations.ts";
import { recoverAdminKey } from "../domain/recovery.ts";
import { UsageError } from "./usageError.ts";

/** The server's own checks, before the database is opened (or created): a malformed argument is wrong usage. */
export function checkedBeforeOpening<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof KeywardError && error.extensions.code === "BAD_USER_INPUT") throw new UsageError(error.message);
    throw error;
  }
}

export function open(config: Config) {
  process.stderr.write(`opening ${config.databaseUrl ? "PostgreSQL" : `the embedded database in ${config.dataDir}`}…\n`);
  return openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
}

export async function migrateCommand(config: Config): Promise<number> {
  const db = await open(config);
  await db.close();
  process.stdout.write(db.migrated.length ? `applied: ${db.migrated.join(", ")}\n` : "the database is up to date\n");
  return 0;
}

/** For deployments with sign-up closed: an organization, its admin and the admin's key, printed once. */
export async function initCommand(config: Config, organizationName: string, email: string): Promise<number> {
  checkedBeforeOpening(() => {
    validName(organizationName, "--org");
    validEmail(email, "--email");
  });
  const db = await open(config);
  try {
    // As signUp does: an email with an account is not made the admin of one more organization
    // (running init twice would otherwise leave two organizations with one admin).
    const created = await createOrganization({ prisma: db.prisma }, { organizationName, email, keyName: "Admin key", existingUser: "refuse" }).catch(
      async (error: unknown) => {
        if (!(error instanceof KeywardError) || error.extensions.code !== "CONFLICT") throw error;
        const memberships = await db.prisma.membership.findMany({
          where: { user: { email: validEmail(email) } },
          select: { role: true, organization: { select: { name: true, slug: true } } },
          orderBy: { createdAt: "asc" },
        });
        const where = memberships.map((m) => `${m.role.toLowerCase()} of "${m.organization.name}" (${m.organization.slug})`).join(", ");
        process.stderr.write(
          `keyward: CONFLICT: ${validEmail(email)} already has an account (${where || "no organization"}); nothing was created. ` +
            "Use another email, or have an admin of that organization invite it.\n",
        );
        return null;
      },
    );
    if (!created) return 1;
    printAdminKey([`created organization "${created.organization.name}" (${created.organization.slug}) with admin ${created.user.email}`], created.secret);
    return 0;
  } finally {
    await db.close();
  }
}

/**
 * Lost the admin key? A new personal admin key for an existing admin, printed once and audited
 * as a recovery. Refuses an email that is no member (NOT_FOUND) or no admin (FORBIDDEN): exit 1;
 * an admin of several organizations without --org is wrong usage: exit 2.
 */
export async function recoverCommand(config: Config, email: string, organizationSlug: string | undefined): Promise<number> {
  checkedBeforeOpening(() => validEmail(email, "--email"));
  const db = await open(config);
  try {
    const recovered = await recoverAdminKey({ prisma: db.prisma }, { email, organizationSlug }).catch((error: unknown) => {
      if (!(error instanceof KeywardError)) throw error;
      // An admin of several organizations needs --org: wrong usage, as for signin-link.
      if (error.extensions.code === "BAD_USER_INPUT") throw new UsageError(error.message);
      process.stderr.write(`keyward: ${error.extensions.code as string}: ${error.message} Nothing was created.\n`);
      return null;
    });
    if (!recovered) return 1;
    printAdminKey(
      [
        `recovered: a new admin key for ${recovered.user.email} in "${recovered.organization.name}" (${recovered.organization.slug})`,
        "(its earlier keys still work: revoke a lost one with `keyward keys revoke <id>`)",
      ],
      recovered.secret,
    );
    return 0;
  } finally {
    await db.close();
  }
}

/** What was done, then the admin key, shown this once. */
function printAdminKey(done: string[], secret: string): void {
  process.stdout.write([...done, "admin API key (shown this once; it will not be shown again):", "", `    ${secret}`, ""].join("\n"));
}

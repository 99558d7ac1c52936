import { validName } from "../domain/apiKeys.ts";
import type { Config } from "../config.ts";
import { openDatabase } from "../db.ts";
import { KeywardError } from "../errors.ts";
import { createOrganization, validEmail } from "../domain/organizations.ts";
import { UsageError } from "./usageError.ts";

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
  // The server's own checks, before the database is opened (or created): a malformed argument is wrong usage.
  try {
    validName(organizationName, "--org");
    validEmail(email, "--email");
  } catch (error) {
    if (error instanceof KeywardError && error.extensions.code === "BAD_USER_INPUT") throw new UsageError(error.message);
    throw error;
  }
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
    process.stdout.write(
      [
        `created organization "${created.organization.name}" (${created.organization.slug}) with admin ${created.user.email}`,
        "admin API key (shown this once; it will not be shown again):",
        "",
        `    ${created.secret}`,
        "",
      ].join("\n"),
    );
    return 0;
  } finally {
    await db.close();
  }
}

import { validName } from "../apiKeys.ts";
import type { Config } from "../config.ts";
import { openDatabase } from "../db.ts";
import { KeywardError } from "../errors.ts";
import { createOrganization, validEmail } from "../organizations.ts";
import { UsageError } from "./usage.ts";

function open(config: Config) {
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
    const created = await createOrganization(db.prisma, { organizationName, email, keyName: "Admin key" });
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

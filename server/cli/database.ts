import type { Config } from "../config.ts";
import { openDatabase } from "../db.ts";
import { createOrganization } from "../organizations.ts";

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

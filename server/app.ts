import { createSignInLink } from "./auth/sessions.ts";
import { firstBoot } from "./domain/bootstrap.ts";
import { sweepDormantKeys } from "./domain/dormantKeys.ts";
import type { Config } from "./config.ts";
import { openDatabase, type Database, type DatabaseOptions } from "./db.ts";
import { createLogger, type Logger } from "./infra/logger.ts";
import { every } from "./infra/periodic.ts";
import type { NewOrganization } from "./domain/organizations.ts";
import { createServices, type Services } from "./services.ts";
import { createKeywardYoga, type KeywardYoga } from "./yoga.ts";

export interface Keyward {
  yoga: KeywardYoga;
  db: Database;
  services: Services;
  /** Set on the boot that created the first organization; its `secret` is printed once. */
  firstBoot: NewOrganization | null;
  /** With the first boot (and the console on): a one-time link that signs the first admin in to the console. */
  signInUrl: string | null;
  /** Flushes usage and closes the database. */
  close(): Promise<void>;
}

/** Opens (and migrates) the database, runs first boot, and builds the server. */
export async function startKeyward(
  config: Config,
  logger: Logger = createLogger(),
  database: Partial<DatabaseOptions> = {},
): Promise<Keyward> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, timeoutMs: config.databaseTimeoutMs, preparedStatements: config.preparedStatements, ...database });
  const created = await firstBoot(db.prisma, config);
  const signInUrl =
    created && config.console
      ? await createSignInLink(db.prisma, config, { userId: created.user.id, organizationId: created.organization.id })
      : null;
  const services = createServices(db, config, { logger });
  services.usage.start(config.usageFlushMs);
  services.keyLimits.ledger?.start(config.usageFlushMs);
  if (config.databaseUrl) await services.keyChanges.listen(config.databaseUrl);
  // A minute after boot at the latest, so instances restarted more often than the interval still sweep.
  const sweeps =
    config.dormantSweepMs > 0
      ? every(
          "dormant-key sweep",
          config.dormantSweepMs,
          async () => {
            const { disabled } = await sweepDormantKeys(services);
            if (disabled.length > 0) logger.info("dormant keys disabled", { count: disabled.length });
          },
          logger,
          Math.min(config.dormantSweepMs, 60_000),
        )
      : null;
  return {
    yoga: createKeywardYoga(services),
    db,
    services,
    firstBoot: created,
    signInUrl,
    // Each step is bounded by the database timeout, and the first two run side by side, so a
    // database that stopped answering still lets the process end within about twice that.
    close: async () => {
      services.usage.stop();
      services.keyLimits.ledger?.stop();
      await sweeps?.stop();
      await Promise.all([services.keyChanges.stop(), services.usage.flush().catch(() => undefined), services.keyLimits.ledger?.flush().catch(() => undefined)]);
      await db.close();
    },
  };
}

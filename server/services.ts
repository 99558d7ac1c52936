import { KeyCache } from "./auth/cache.ts";
import { KeyChanges } from "./auth/changes.ts";
import { keyRecords } from "./auth/keyRecords.ts";
import { Verifier } from "./auth/verifier.ts";
import type { Config } from "./config.ts";
import type { Database } from "./db.ts";
import type { PrismaClient } from "./generated/prisma/client.ts";
import { createLogger, type Logger } from "./infra/logger.ts";
import { createMetrics, type Metrics } from "./infra/metrics.ts";
import { KeyLimits } from "./infra/keyLimits.ts";
import { defaultRateLimits, type RateLimits } from "./infra/rateLimit.ts";
import { UsageTracker } from "./infra/usageTracker.ts";

/** The long-lived parts every request's context shares. */
export interface Services {
  prisma: PrismaClient;
  config: Config;
  logger: Logger;
  usage: UsageTracker;
  verifier: Verifier;
  keyChanges: KeyChanges;
  rateLimits: RateLimits;
  /** Keys' own rate limits and credits (server/infra/keyLimits.ts). */
  keyLimits: KeyLimits;
  metrics: Metrics;
}

export function createServices({ prisma, byKeyId }: Pick<Database, "prisma" | "byKeyId">, config: Config, overrides: Partial<Services> = {}): Services {
  const logger = overrides.logger ?? createLogger();
  const cache = overrides.verifier?.cache ?? new KeyCache();
  const metrics = overrides.metrics ?? createMetrics(cache, config.metrics);
  return {
    prisma,
    config,
    logger,
    usage: overrides.usage ?? new UsageTracker(prisma),
    verifier: overrides.verifier ?? new Verifier(keyRecords({ byKeyId }), cache),
    keyChanges:
      overrides.keyChanges ??
      new KeyChanges(cache, logger, { timeoutMs: config.databaseTimeoutMs, heartbeatMs: config.listenerHeartbeatMs, registry: metrics.registry }),
    rateLimits: overrides.rateLimits ?? defaultRateLimits(config.databaseUrl ? prisma : undefined),
    keyLimits: overrides.keyLimits ?? new KeyLimits(prisma, Boolean(config.databaseUrl)),
    metrics,
  };
}

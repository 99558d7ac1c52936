import type { Actor } from "./audit.ts";
import { keylessChange } from "./change.ts";
import { sqlTimestamp } from "../infra/usageTracker.ts";
import type { Services } from "../services.ts";

/** Keys disabled per transaction; a sweep goes on batch after batch until none is left. */
const BATCH = 500;

export interface DormantSweep {
  /** The keys this sweep disabled, with their organization. */
  disabled: Array<{ id: string; organizationId: string }>;
  /** Another instance held the sweep (PostgreSQL advisory lock) when this one tried. */
  skipped: boolean;
}

interface Dormant {
  id: string;
  organizationId: string;
  name: string;
  lastUsedAt: Date | null;
  days: number;
}

/**
 * Disables the enabled, unexpired keys of organizations with `disableUnusedAfterDays` that have
 * gone that many days unused: counted from their last use, or from their creation or their last
 * re-enabling when either is later (an admin enabling a dormant key again gives it a full period).
 * Each is audited `API_KEY_DISABLED` (reason `dormant`, `via: system`) and refused at once on
 * every instance, through the one write path.
 *
 * Once per key: the rows are locked and re-checked in the disabling transaction (a key disabled,
 * used, enabled or revoked meanwhile is left alone), and each batch first takes a
 * transaction-level advisory lock, so sweeps of several instances never overlap (one of them
 * finds the lock held and skips). This instance's usage is flushed first and its keys in use
 * since are spared; another instance's uses reach the database within its flush interval
 * (`KEYWARD_USAGE_FLUSH_MS`), the same accuracy `lastUsedAt` has everywhere.
 */
export async function sweepDormantKeys(
  services: Pick<Services, "prisma" | "keyChanges" | "usage">,
  now: Date = new Date(),
): Promise<DormantSweep> {
  await services.usage.flush();
  const inUse = services.usage.usedSince(new Date(0));
  const disabled: DormantSweep["disabled"] = [];
  for (;;) {
    const batch = await keylessChange(services, async ({ tx, touch, audit }) => {
      const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`
        SELECT pg_try_advisory_xact_lock(hashtext('keyward'), hashtext('dormant-key-sweep')) AS "locked"`;
      if (!lock?.locked) return null;
      const at = sqlTimestamp(now);
      const keys = await tx.$queryRaw<Dormant[]>`
        SELECT k."id", k."organizationId", k."name", k."lastUsedAt", o."disableUnusedAfterDays" AS "days"
        FROM "ApiKey" k JOIN "Organization" o ON o."id" = k."organizationId"
        WHERE o."disableUnusedAfterDays" IS NOT NULL
          AND k."status" = 'ENABLED'
          AND (k."expiresAt" IS NULL OR k."expiresAt" > ${at}::timestamp(3))
          AND GREATEST(k."createdAt", k."lastUsedAt", k."enabledAt") < ${at}::timestamp(3) - make_interval(days => o."disableUnusedAfterDays")
          AND NOT (k."id" = ANY(${inUse}::text[]))
        ORDER BY k."id"
        LIMIT ${BATCH}
        FOR UPDATE OF k SKIP LOCKED`;
      if (keys.length === 0) return [];
      await tx.apiKey.updateMany({ where: { id: { in: keys.map((k) => k.id) } }, data: { status: "DISABLED" } });
      touch({ keyIds: keys.map((k) => k.id) });
      for (const key of keys) {
        const system: Actor = { ip: null, userAgent: null, organizationId: key.organizationId, keyId: null, userId: null, via: "system" };
        await audit(system, {
          action: "API_KEY_DISABLED",
          targetType: "ApiKey",
          targetId: key.id,
          metadata: {
            name: key.name,
            from: "ENABLED",
            to: "DISABLED",
            reason: "dormant",
            disableUnusedAfterDays: key.days,
            lastUsedAt: key.lastUsedAt ? new Date(key.lastUsedAt).toISOString() : null,
          },
        });
      }
      return keys.map(({ id, organizationId }) => ({ id, organizationId }));
    });
    if (batch === null) return { disabled, skipped: disabled.length === 0 };
    disabled.push(...batch);
    if (batch.length < BATCH) return { disabled, skipped: false };
  }
}

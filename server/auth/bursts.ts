import { keylessChange } from "../domain/change.ts";
import type { Limiter } from "../infra/rateLimit.ts";
import type { RequestInfo } from "../http/request.ts";
import type { Services } from "../services.ts";
import type { ParsedKey } from "./key.ts";

/**
 * A burst of wrong secrets for one key just reached the throttle: the key's organization
 * hears of it in its audit log, once per burst, with where the last attempt came from. Ids
 * of no key belong to no organization; those bursts, and a client failing across many ids,
 * are for the operator's log.
 */
export async function recordFailedBurst(
  services: Services,
  { id: keyId }: ParsedKey,
  requestInfo: RequestInfo,
  limiter: Limiter,
): Promise<void> {
  const { prisma, verifier, logger } = services;
  const cached = verifier.cache.peek(keyId);
  const key = cached !== undefined ? cached : await prisma.apiKey.findUnique({ where: { id: keyId }, select: { organizationId: true } });
  logger.warn("failed authentication burst", { keyId, ip: requestInfo.ip, failures: limiter.limit, known: Boolean(key) });
  if (!key) return;
  await keylessChange(services, ({ audit }) =>
    audit(
      // A platform key's burst is a platform-level event (no organization).
      key.organizationId === null
        ? { ...requestInfo, organizationId: null, keyId: null, userId: null }
        : { ...requestInfo, organizationId: key.organizationId, keyId: null, userId: null },
      {
        action: "AUTHENTICATION_FAILED",
        targetType: "ApiKey",
        targetId: keyId,
        metadata: { failures: limiter.limit, windowSeconds: limiter.windowMs / 1000 },
      },
    ),
  );
}

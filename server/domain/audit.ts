import type { Principal } from "../auth/principal.ts";
import type { AuditAction, Prisma } from "../generated/prisma/client.ts";
import type { RequestInfo } from "../http/request.ts";

/** Who did something: the key and person behind a request, and where it came from. */
export interface Actor extends RequestInfo {
  organizationId: string;
  keyId: string | null;
  userId: string | null;
  /**
   * Recorded in each event's metadata as `via`: a person acting without a key (console, the
   * console's key page embedded in a product, cli), a platform key acting inside an
   * organization (platform), or Keyward itself on a schedule (system: the dormant-key sweep).
   */
  via?: "console" | "embedded" | "cli" | "platform" | "system";
}

/** Who made a platform-level event (platform keys, an organization's deletion): recorded with no organization. */
export interface PlatformActor extends RequestInfo {
  organizationId: null;
  /** The platform key; `null` on Keyward's machine (`keyward platform-keys`). */
  keyId: string | null;
  userId: null;
  via?: "cli";
}

export function actorOf({ principal, requestInfo }: { principal: Principal; requestInfo: RequestInfo }): Actor {
  const actor: Actor = { ...requestInfo, organizationId: principal.organizationId, keyId: principal.keyId, userId: principal.userId };
  if (!principal.sessionId) return actor;
  return { ...actor, via: principal.embeddedOrigin ? "embedded" : "console" };
}

export interface AuditEntry {
  action: AuditAction;
  targetType?: "ApiKey" | "User" | "Organization" | "Invitation";
  targetId?: string;
  /** Names and ids only: never a secret, a hash or a full key. */
  metadata?: Prisma.InputJsonObject;
}

/** Call inside the transaction that makes the change, so the change and its record commit together. */
export async function recordAudit(tx: Prisma.TransactionClient, actor: Actor | PlatformActor, entry: AuditEntry): Promise<void> {
  await tx.auditEvent.create({
    data: {
      organizationId: actor.organizationId,
      actorKeyId: actor.keyId,
      actorUserId: actor.userId,
      ip: actor.ip,
      userAgent: actor.userAgent,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      metadata: actor.via ? { ...entry.metadata, via: actor.via } : entry.metadata,
    },
  });
}

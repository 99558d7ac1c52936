import { recordAudit, type Actor } from "./audit.ts";
import type { Prisma } from "./generated/prisma/client.ts";

/** Not accepted, not cancelled, not expired. */
export const pending = (now = new Date()) => ({ acceptedAt: null, cancelledAt: null, expiresAt: { gt: now } }) as const;

/**
 * A person has one way into an organization at a time: when they join or are removed, the
 * other invitations still open for their email stop working (else a removed member could come
 * back with a second code). Each is recorded as cancelled, with the reason.
 */
export async function cancelPendingInvitations(
  tx: Prisma.TransactionClient,
  actor: Actor,
  email: string,
  reason: "joined" | "member_removed",
): Promise<string[]> {
  const open = await tx.invitation.findMany({ where: { organizationId: actor.organizationId, email, ...pending() }, select: { id: true } });
  const ids = open.map((i) => i.id);
  if (ids.length === 0) return ids;
  await tx.invitation.updateMany({ where: { id: { in: ids } }, data: { cancelledAt: new Date() } });
  for (const id of ids) {
    await recordAudit(tx, actor, { action: "INVITATION_CANCELLED", targetType: "Invitation", targetId: id, metadata: { email, reason } });
  }
  return ids;
}

import { recordAudit, type Actor } from "./audit.ts";
import { effectiveScopes, scopesOfRole } from "../auth/scopes.ts";
import type { Principal } from "../auth/principal.ts";
import type { Invitation, Prisma, Role } from "../generated/prisma/client.ts";

type CancelReason = "joined" | "member_removed" | "inviter_removed" | "inviter_demoted";

/** Not accepted, not cancelled, not expired. */
export const pending = (now = new Date()) => ({ acceptedAt: null, cancelledAt: null, expiresAt: { gt: now } }) as const;

/**
 * A person has one way into an organization at a time: when they join or are removed, the
 * other invitations still open for their email stop working (else a removed member could come
 * back with a second code). Each is recorded as cancelled, with the reason.
 */
export const cancelPendingInvitations = (tx: Prisma.TransactionClient, actor: Actor, email: string, reason: CancelReason) =>
  cancelOpen(tx, actor, { email }, reason);

/** A person lost the right to issue invitations: the ones they sent and nobody accepted stop working. */
export const cancelInvitationsIssuedBy = (tx: Prisma.TransactionClient, actor: Actor, userId: string, reason: CancelReason) =>
  cancelOpen(tx, actor, { createdById: userId }, reason);

/** Cancels the organization's open invitations matching `which`, each recorded with the reason; returns their ids. */
async function cancelOpen(
  tx: Prisma.TransactionClient,
  actor: Actor,
  which: { email: string } | { createdById: string },
  reason: CancelReason,
): Promise<string[]> {
  const open = await tx.invitation.findMany({
    where: { organizationId: actor.organizationId, ...which, ...pending() },
    select: { id: true, email: true },
  });
  if (open.length === 0) return [];
  const ids = open.map((i) => i.id);
  await tx.invitation.updateMany({ where: { id: { in: ids } }, data: { cancelledAt: new Date() } });
  for (const { id, email } of open) {
    await recordAudit(tx, actor, { action: "INVITATION_CANCELLED", targetType: "Invitation", targetId: id, metadata: { email, reason } });
  }
  return ids;
}

/**
 * Giving someone a role (inviting them with it, or changing theirs) hands them everything the
 * role grants, so the caller must hold all of it: the role's scopes and MEMBERS_WRITE, and for
 * ADMIN an admin's own standing (a SERVICE key cannot mint admins).
 */
export function mayGrantRole(caller: Pick<Principal, "scopes" | "role">, role: Role): boolean {
  if (!caller.scopes.has("MEMBERS_WRITE")) return false;
  if ([...scopesOfRole(role)].some((s) => !caller.scopes.has(s))) return false;
  return role !== "ADMIN" || caller.role === "ADMIN";
}

/**
 * Checked again when the code is used: whoever issued it may still give that role. A person's
 * invitation needs them to be an admin still (removal and demotion also cancel theirs); a SERVICE
 * key's needs that key enabled, unexpired and holding what the role grants.
 */
export async function issuerMayStillGrant(tx: Prisma.TransactionClient, invitation: Invitation, now = new Date()): Promise<boolean> {
  if (invitation.createdById) {
    const issuer = await tx.membership.findUnique({
      where: { organizationId_userId: { organizationId: invitation.organizationId, userId: invitation.createdById } },
      select: { role: true },
    });
    return issuer?.role === "ADMIN";
  }
  if (!invitation.createdByKeyId) return false;
  const key = await tx.apiKey.findFirst({
    where: { id: invitation.createdByKeyId, organizationId: invitation.organizationId, kind: "SERVICE", status: "ENABLED" },
    select: { scopes: true, expiresAt: true },
  });
  if (!key || (key.expiresAt !== null && key.expiresAt <= now)) return false;
  return mayGrantRole({ scopes: effectiveScopes(key.scopes, null), role: null }, invitation.role);
}

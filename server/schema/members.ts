import { actorOf, recordAudit } from "../audit.ts";
import { builder } from "../builder.ts";
import type { AuthenticatedContext } from "../context.ts";
import { KeywardError, notFound } from "../errors.ts";
import { cancelPendingInvitations } from "../invitations.ts";
import type { Membership as MembershipRow, Prisma, Role } from "../generated/prisma/client.ts";
import { assertCursors } from "./cursors.ts";
import { RoleEnum } from "./enums.ts";

export const Membership = builder.prismaObject("Membership", {
  description: "A person's place in the organization.",
  fields: (t) => ({
    id: t.exposeID("id"),
    role: t.expose("role", { type: RoleEnum }),
    user: t.relation("user"),
    joinedAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

builder.queryField("members", (t) =>
  t.withAuth({ scope: "MEMBERS_READ" }).prismaConnection(
    {
      type: "Membership",
      cursor: "id",
      description: "People in the organization, with their role and when they joined, oldest first.",
      resolve: (query, _root, args, { prisma, principal }) => {
        assertCursors(args, "uuid");
        return prisma.membership.findMany({ ...query, where: { organizationId: principal.organizationId }, orderBy: { id: "asc" } });
      },
    },
    { name: "MembershipConnection" },
    { name: "MembershipEdge" },
  ),
);

const UpdateMemberRoleInput = builder.inputType("UpdateMemberRoleInput", {
  fields: (t) => ({ userId: t.id({ required: true }), role: t.field({ type: RoleEnum, required: true }) }),
});
const RemoveMemberInput = builder.inputType("RemoveMemberInput", {
  fields: (t) => ({ userId: t.id({ required: true }) }),
});
const UpdateMemberRolePayload = builder.objectRef<{ membership: MembershipRow }>("UpdateMemberRolePayload").implement({
  fields: (t) => ({ membership: t.expose("membership", { type: Membership }) }),
});
const RemoveMemberPayload = builder.objectRef<{ removedUserId: string; revokedApiKeyIds: string[] }>("RemoveMemberPayload").implement({
  fields: (t) => ({
    removedUserId: t.exposeID("removedUserId"),
    revokedApiKeyIds: t.exposeIDList("revokedApiKeyIds", { description: "The member's personal keys, revoked with the removal." }),
  }),
});

/**
 * Runs `change` on a member of the caller's organization, serialized per organization, and
 * refuses to leave it without an admin (two admins demoting each other at once included).
 */
async function changeMember<T>(
  context: AuthenticatedContext,
  userId: string | number,
  change: (tx: Prisma.TransactionClient, membership: MembershipRow) => Promise<T>,
  leavesAdmin: (membership: MembershipRow) => boolean,
): Promise<T> {
  const { prisma, principal, keyChanges } = context;
  return keyChanges.transaction(prisma, async (tx, touch) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${principal.organizationId}))`;
    const membership = await tx.membership.findUnique({
      where: { organizationId_userId: { organizationId: principal.organizationId, userId: String(userId) } },
    });
    if (!membership) throw notFound("Member");
    if (membership.role === "ADMIN" && !leavesAdmin(membership)) {
      const admins = await tx.membership.count({ where: { organizationId: principal.organizationId, role: "ADMIN" } });
      if (admins <= 1) throw new KeywardError("LAST_ADMIN", "An organization keeps at least one admin; promote another first.");
    }
    // Their keys' permissions follow the membership: every instance must re-read them.
    touch({ userIds: [membership.userId] });
    return change(tx, membership);
  });
}

builder.mutationFields((t) => {
  const membersWrite = t.withAuth({ scope: "MEMBERS_WRITE" });
  return {
    updateMemberRole: membersWrite.field({
      type: UpdateMemberRolePayload,
      nullable: true,
      description: "Takes effect on the member's keys from their next request.",
      args: { input: t.arg({ type: UpdateMemberRoleInput, required: true }) },
      resolve: (_root, { input }, context) =>
        changeMember(
          context,
          input.userId,
          async (tx, current) => {
            if (current.role === input.role) return { membership: current };
            const membership = await tx.membership.update({ where: { id: current.id }, data: { role: input.role as Role } });
            await recordAudit(tx, actorOf(context), {
              action: "MEMBER_ROLE_CHANGED",
              targetType: "User",
              targetId: current.userId,
              metadata: { from: current.role, to: input.role },
            });
            return { membership };
          },
          () => input.role === "ADMIN",
        ),
    }),
    removeMember: membersWrite.field({
      type: RemoveMemberPayload,
      nullable: true,
      description: "Their personal keys are revoked at once (and stay revoked if they are invited again); service keys stay.",
      args: { input: t.arg({ type: RemoveMemberInput, required: true }) },
      resolve: (_root, { input }, context) =>
        changeMember(
          context,
          input.userId,
          async (tx, membership) => {
            const keys = await tx.apiKey.findMany({
              where: { organizationId: membership.organizationId, kind: "PERSONAL", ownerId: membership.userId, status: { not: "REVOKED" } },
              select: { id: true },
            });
            const revokedApiKeyIds = keys.map((k) => k.id);
            const actor = actorOf(context);
            await tx.apiKey.updateMany({ where: { id: { in: revokedApiKeyIds } }, data: { status: "REVOKED" } });
            await tx.membership.delete({ where: { id: membership.id } });
            const { email } = await tx.user.findUniqueOrThrow({ where: { id: membership.userId }, select: { email: true } });
            const cancelledInvitationIds = await cancelPendingInvitations(tx, actor, email, "member_removed");
            await recordAudit(tx, actor, {
              action: "MEMBER_REMOVED",
              targetType: "User",
              targetId: membership.userId,
              metadata: { role: membership.role, revokedApiKeyIds, cancelledInvitationIds },
            });
            // Each key's own history says why it stopped working.
            for (const id of revokedApiKeyIds) {
              await recordAudit(tx, actor, { action: "API_KEY_REVOKED", targetType: "ApiKey", targetId: id, metadata: { reason: "member_removed" } });
            }
            return { removedUserId: membership.userId, revokedApiKeyIds };
          },
          () => false,
        ),
    }),
  };
});

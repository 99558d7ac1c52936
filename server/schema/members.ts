import { revokePersonalKeys } from "../domain/apiKeys.ts";
import { builder } from "../builder.ts";
import { change, lockMembership, type ChangeStep } from "../domain/change.ts";
import type { AuthenticatedContext } from "../context.ts";
import { forbidden, KeywardError, notFound } from "../errors.ts";
import { cancelInvitationsIssuedBy, cancelPendingInvitations, mayGrantRole } from "../domain/invitations.ts";
import type { Membership as MembershipRow, Role } from "../generated/prisma/client.ts";
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
 * Runs `work` on a member of the caller's organization, serialized per organization and with
 * the membership locked (so the member's own in-flight writes finish first and later ones find
 * the change), and refuses to leave it without an admin (two admins demoting each other at once
 * included).
 */
function changeMember<T>(
  context: AuthenticatedContext,
  userId: string | number,
  work: (step: ChangeStep, membership: MembershipRow) => Promise<T>,
  leavesAdmin: (membership: MembershipRow) => boolean,
): Promise<T> {
  return change(
    context,
    async (step) => {
      const { tx, caller } = step;
      const locked = await lockMembership(tx, caller.organizationId, String(userId), "update");
      if (!locked) throw notFound("Member");
      const membership = await tx.membership.findUniqueOrThrow({ where: { id: locked.id } });
      if (membership.role === "ADMIN" && !leavesAdmin(membership)) {
        const admins = await tx.membership.count({ where: { organizationId: caller.organizationId, role: "ADMIN" } });
        if (admins <= 1) throw new KeywardError("LAST_ADMIN", "An organization keeps at least one admin; promote another first.");
      }
      // Their keys' permissions follow the membership: every instance must re-read them.
      step.touch({ userIds: [membership.userId] });
      return work(step, membership);
    },
    { organization: true },
  );
}

builder.mutationFields((t) => {
  const membersWrite = t.withAuth({ scope: "MEMBERS_WRITE" });
  return {
    updateMemberRole: membersWrite.field({
      type: UpdateMemberRolePayload,
      nullable: true,
      description: "Takes effect on the member's keys from their next request. The calling key must hold everything the role grants (ADMIN: an admin's key).",
      args: { input: t.arg({ type: UpdateMemberRoleInput, required: true }) },
      resolve: (_root, { input }, context) =>
        changeMember(
          context,
          input.userId,
          async ({ tx, caller, actor, audit }, current) => {
            const role = input.role as Role;
            if (!mayGrantRole(caller, role)) throw forbidden(`Only a key holding everything ${role} grants may give that role.`);
            if (current.role === role) return { membership: current };
            const membership = await tx.membership.update({ where: { id: current.id }, data: { role } });
            // Members issue no invitations: the ones they sent as admins stop working.
            const cancelledInvitationIds =
              role === "MEMBER" ? await cancelInvitationsIssuedBy(tx, actor, current.userId, "inviter_demoted") : [];
            await audit({
              action: "MEMBER_ROLE_CHANGED",
              targetType: "User",
              targetId: current.userId,
              metadata: { from: current.role, to: role, cancelledInvitationIds },
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
          async ({ tx, touch, actor, audit }, membership) => {
            const keys = await revokePersonalKeys({ tx, touch }, membership.organizationId, membership.userId);
            const revokedApiKeyIds = keys.map((k) => k.id);
            await tx.membership.delete({ where: { id: membership.id } });
            // Refused from the next request on anyway (a session reads the membership each time); gone for good here.
            await tx.session.deleteMany({ where: { organizationId: membership.organizationId, userId: membership.userId } });
            const { email } = await tx.user.findUniqueOrThrow({ where: { id: membership.userId }, select: { email: true } });
            const cancelledInvitationIds = [
              ...(await cancelPendingInvitations(tx, actor, email, "member_removed")),
              ...(await cancelInvitationsIssuedBy(tx, actor, membership.userId, "inviter_removed")),
            ];
            await audit({
              action: "MEMBER_REMOVED",
              targetType: "User",
              targetId: membership.userId,
              metadata: { role: membership.role, revokedApiKeyIds, cancelledInvitationIds },
            });
            // Each key's own history says why it stopped working.
            for (const { id, status } of keys) {
              await audit({ action: "API_KEY_REVOKED", targetType: "ApiKey", targetId: id, metadata: { from: status, to: "REVOKED", reason: "member_removed" } });
            }
            return { removedUserId: membership.userId, revokedApiKeyIds };
          },
          () => false,
        ),
    }),
  };
});

import { createHash } from "node:crypto";
import { issueKey, validName } from "../apiKeys.ts";
import { actorOf, recordAudit, type Actor } from "../audit.ts";
import { randomBase62 } from "../auth/key.ts";
import { scopesOfRole } from "../auth/scopes.ts";
import { builder } from "../builder.ts";
import { badInput, KeywardError, notFound } from "../errors.ts";
import type { ApiKey as ApiKeyRow, Invitation as InvitationRow, Membership as MembershipRow, Role, User as UserRow } from "../generated/prisma/client.ts";
import { cancelPendingInvitations, pending } from "../invitations.ts";
import { validEmail } from "../organizations.ts";
import { throttlingKey } from "../request.ts";
import { ApiKey } from "./apiKey.ts";
import { RoleEnum } from "./enums.ts";
import { Membership } from "./members.ts";
import { Organization, User } from "./organization.ts";

const DEFAULT_HOURS = 7 * 24;
const MAX_HOURS = 30 * 24;
const CODE_PATTERN = /^kwinv_[0-9A-Za-z]{32}$/;
const hashCode = (code: string) => createHash("sha256").update(code).digest("hex");

export const Invitation = builder.prismaObject("Invitation", {
  description: "A one-time, expiring code an admin gave to someone. Keyward keeps only its hash.",
  fields: (t) => ({
    id: t.exposeID("id"),
    email: t.exposeString("email"),
    role: t.expose("role", { type: RoleEnum }),
    expiresAt: t.expose("expiresAt", { type: "DateTime" }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    organization: t.relation("organization"),
  }),
});

builder.queryField("invitations", (t) =>
  t.withAuth({ scope: "MEMBERS_READ" }).prismaField({
    type: [Invitation],
    description: "Pending invitations (not accepted, cancelled or expired), newest first.",
    resolve: (query, _root, _args, { prisma, principal }) =>
      prisma.invitation.findMany({
        ...query,
        where: { organizationId: principal.organizationId, ...pending() },
        orderBy: { id: "desc" },
        take: 500,
      }),
  }),
);

const InviteMemberInput = builder.inputType("InviteMemberInput", {
  fields: (t) => ({
    email: t.string({ required: true }),
    role: t.field({ type: RoleEnum, required: true }),
    expiresInHours: t.int({ defaultValue: DEFAULT_HOURS, description: `1–${MAX_HOURS}; default a week.` }),
  }),
});
const CancelInvitationInput = builder.inputType("CancelInvitationInput", {
  fields: (t) => ({ id: t.id({ required: true, description: "The invitation's id (`invitation.id`)." }) }),
});
const AcceptInvitationInput = builder.inputType("AcceptInvitationInput", {
  fields: (t) => ({
    code: t.string({ required: true }),
    keyName: t.string({ defaultValue: "Personal key", description: "Name of the first personal key." }),
  }),
});

const InviteMemberPayload = builder.objectRef<{ invitation: InvitationRow; code: string }>("InviteMemberPayload").implement({
  fields: (t) => ({
    invitation: t.expose("invitation", { type: Invitation }),
    code: t.exposeString("code", { description: "Give this to the person; it is shown once and works once." }),
  }),
});
const CancelInvitationPayload = builder.objectRef<{ invitation: InvitationRow }>("CancelInvitationPayload").implement({
  fields: (t) => ({ invitation: t.expose("invitation", { type: Invitation }) }),
});
interface Accepted {
  user: UserRow;
  membership: MembershipRow;
  apiKey: ApiKeyRow;
  secret: string;
}
const AcceptInvitationPayload = builder.objectRef<Accepted>("AcceptInvitationPayload").implement({
  fields: (t) => ({
    user: t.expose("user", { type: User }),
    membership: t.expose("membership", { type: Membership }),
    organization: t.prismaField({
      type: Organization,
      resolve: (query, accepted, _args, { prisma }) =>
        prisma.organization.findUniqueOrThrow({ ...query, where: { id: accepted.membership.organizationId } }),
    }),
    apiKey: t.expose("apiKey", { type: ApiKey }),
    secret: t.exposeString("secret", { description: "The new member's first personal key, shown once." }),
  }),
});

builder.mutationFields((t) => ({
  inviteMember: t.withAuth({ scope: "MEMBERS_WRITE" }).field({
    description: "Invites a person by email with a role; returns a one-time code (shown once) for them to accept.",
    type: InviteMemberPayload,
    nullable: true,
    args: { input: t.arg({ type: InviteMemberInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { prisma, principal } = context;
      const email = validEmail(input.email);
      const hours = input.expiresInHours ?? DEFAULT_HOURS;
      if (hours < 1 || hours > MAX_HOURS) throw badInput(`expiresInHours must be from 1 to ${MAX_HOURS}.`, "expiresInHours");
      const code = `kwinv_${randomBase62(32)}`;
      const invitation = await prisma.$transaction(async (tx) => {
        // Serialized per organization (as member changes are), so two invites can't both pass the checks.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${principal.organizationId}))`;
        const member = await tx.membership.findFirst({ where: { organizationId: principal.organizationId, user: { email } } });
        if (member) throw new KeywardError("CONFLICT", "That person is already a member.");
        const open = await tx.invitation.findFirst({ where: { organizationId: principal.organizationId, email, ...pending() } });
        if (open) {
          throw new KeywardError("CONFLICT", "That person already has a pending invitation; cancel it to send a new one.", {
            invitationId: open.id,
          });
        }
        const created = await tx.invitation.create({
          data: {
            organizationId: principal.organizationId,
            email,
            role: input.role as Role,
            codeHash: hashCode(code),
            expiresAt: new Date(Date.now() + hours * 3_600_000),
            createdById: principal.userId,
          },
        });
        await recordAudit(tx, actorOf(context), {
          action: "MEMBER_INVITED",
          targetType: "Invitation",
          targetId: created.id,
          metadata: { email, role: input.role },
        });
        return created;
      });
      return { invitation, code };
    },
  }),
  cancelInvitation: t.withAuth({ scope: "MEMBERS_WRITE" }).field({
    description: "Stops a pending invitation's code from working.",
    type: CancelInvitationPayload,
    nullable: true,
    args: { input: t.arg({ type: CancelInvitationInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { prisma, principal } = context;
      const invitation = await prisma.invitation.findFirst({ where: { id: String(input.id), organizationId: principal.organizationId } });
      if (!invitation) throw notFound("Invitation");
      if (invitation.acceptedAt) throw new KeywardError("INVITATION_USED", "This invitation was already accepted.");
      if (invitation.cancelledAt) return { invitation };
      return prisma.$transaction(async (tx) => {
        const cancelled = await tx.invitation.update({ where: { id: invitation.id }, data: { cancelledAt: new Date() } });
        await recordAudit(tx, actorOf(context), {
          action: "INVITATION_CANCELLED",
          targetType: "Invitation",
          targetId: invitation.id,
          metadata: { email: invitation.email },
        });
        return { invitation: cancelled };
      });
    },
  }),
  acceptInvitation: t.field({
    type: AcceptInvitationPayload,
    nullable: true,
    description: "Needs no key: the code is the credential. Creates the membership and the first personal key.",
    args: { input: t.arg({ type: AcceptInvitationInput, required: true }) },
    resolve: async (_root, { input }, { prisma, requestInfo, rateLimits, keyChanges }) => {
      const client = throttlingKey(requestInfo.ip ?? "unknown");
      await rateLimits.invitations.assertAllowed(client);
      const refuse = async (error: KeywardError) => {
        await rateLimits.invitations.fail(client);
        return error;
      };
      const keyName = validName(input.keyName ?? "Personal key", "keyName");
      const code = input.code.trim();
      const invitation = CODE_PATTERN.test(code)
        ? await prisma.invitation.findUnique({ where: { codeHash: hashCode(code) } })
        : null;
      if (!invitation) throw await refuse(notFound("Invitation"));
      if (invitation.acceptedAt) throw await refuse(new KeywardError("INVITATION_USED", "This invitation was already used."));
      if (invitation.cancelledAt) throw await refuse(new KeywardError("INVITATION_CANCELLED", "This invitation was cancelled."));
      if (invitation.expiresAt <= new Date()) throw await refuse(new KeywardError("INVITATION_EXPIRED", "This invitation has expired."));

      return keyChanges.transaction(prisma, async (tx, touch) => {
        // Claimed atomically: of two concurrent accepts, one wins and the other is told it is used.
        const claimed = await tx.invitation.updateMany({
          where: { id: invitation.id, acceptedAt: null, cancelledAt: null },
          data: { acceptedAt: new Date() },
        });
        if (claimed.count === 0) throw new KeywardError("INVITATION_USED", "This invitation was already used.");
        const user = await tx.user.upsert({ where: { email: invitation.email }, create: { email: invitation.email }, update: {} });
        const existing = await tx.membership.findUnique({
          where: { organizationId_userId: { organizationId: invitation.organizationId, userId: user.id } },
        });
        if (existing) throw new KeywardError("CONFLICT", "You are already a member of this organization.");
        const membership = await tx.membership.create({
          data: { organizationId: invitation.organizationId, userId: user.id, role: invitation.role },
        });
        const actor: Actor = { ...requestInfo, organizationId: invitation.organizationId, keyId: null, userId: user.id };
        await cancelPendingInvitations(tx, actor, invitation.email, "joined");
        await recordAudit(tx, actor, {
          action: "MEMBER_JOINED",
          targetType: "User",
          targetId: user.id,
          metadata: { email: user.email, role: invitation.role, invitationId: invitation.id },
        });
        const { apiKey, secret } = await issueKey(tx, actor, {
          kind: "PERSONAL",
          ownerId: user.id,
          name: keyName,
          environment: "LIVE",
          scopes: [...scopesOfRole(invitation.role)],
          expiresAt: null,
        });
        touch({ keyIds: [apiKey.id], userIds: [user.id] });
        return { user, membership, apiKey, secret };
      });
    },
  }),
}));

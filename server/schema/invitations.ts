import { issueKeyInChange, revokePersonalKeys, validName } from "../domain/apiKeys.ts";
import type { Actor } from "../domain/audit.ts";
import { hashSecret, randomBase62 } from "../auth/key.ts";
import { scopesOfRole } from "../auth/scopes.ts";
import { currentPolicy, defaultExpiry } from "../domain/organizationPolicy.ts";
import { builder } from "../builder.ts";
import { change, keylessChange } from "../domain/change.ts";
import { badInput, forbidden, KeywardError, notFound } from "../errors.ts";
import type { ApiKey as ApiKeyRow, Invitation as InvitationRow, Membership as MembershipRow, Role, User as UserRow } from "../generated/prisma/client.ts";
import { cancelPendingInvitations, issuerMayStillGrant, mayGrantRole, pending } from "../domain/invitations.ts";
import { validEmail } from "../domain/organizations.ts";
import { throttlingKey } from "../http/request.ts";
import { ApiKey } from "./apiKey.ts";
import { RoleEnum } from "./enums.ts";
import { Membership } from "./members.ts";
import { Organization, User } from "./organization.ts";

const DEFAULT_HOURS = 7 * 24;
const MAX_HOURS = 30 * 24;
const CODE_PATTERN = /^kwinv_[0-9A-Za-z]{32}$/;

const Invitation = builder.prismaObject("Invitation", {
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
    url: t.string({
      description: "The console's join page for this invitation (the code is in the fragment, which no server logs); shown once.",
      resolve: ({ code }, _args, { config }) => `${config.publicUrl}/join#${code}`,
    }),
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
    description: "Invites a person by email with a role; returns a one-time code (shown once) for them to accept. The calling key must hold everything the role grants (ADMIN: an admin's key).",
    type: InviteMemberPayload,
    nullable: true,
    args: { input: t.arg({ type: InviteMemberInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const email = validEmail(input.email);
      const role = input.role as Role;
      const hours = input.expiresInHours ?? DEFAULT_HOURS;
      if (hours < 1 || hours > MAX_HOURS) throw badInput(`expiresInHours must be from 1 to ${MAX_HOURS}.`, "expiresInHours");
      const code = `kwinv_${randomBase62(32)}`;
      // Serialized per organization (as member changes are), so two invites can't both pass the checks.
      const invitation = await change(
        context,
        async ({ tx, caller, audit }) => {
          if (!mayGrantRole(caller, role)) throw forbidden(`Only a key holding everything ${role} grants may invite with that role.`);
          const member = await tx.membership.findFirst({ where: { organizationId: caller.organizationId, user: { email } } });
          if (member) throw new KeywardError("CONFLICT", "That person is already a member.");
          const open = await tx.invitation.findFirst({ where: { organizationId: caller.organizationId, email, ...pending() } });
          if (open) {
            throw new KeywardError("CONFLICT", "That person already has a pending invitation; cancel it to send a new one.", {
              invitationId: open.id,
            });
          }
          const created = await tx.invitation.create({
            data: {
              organizationId: caller.organizationId,
              email,
              role,
              codeHash: hashSecret(code),
              expiresAt: new Date(Date.now() + hours * 3_600_000),
              createdById: caller.userId,
              createdByKeyId: caller.keyId,
            },
          });
          await audit({ action: "MEMBER_INVITED", targetType: "Invitation", targetId: created.id, metadata: { email, role } });
          return created;
        },
        { organization: true },
      );
      return { invitation, code };
    },
  }),
  cancelInvitation: t.withAuth({ scope: "MEMBERS_WRITE" }).field({
    description: "Stops a pending invitation's code from working.",
    type: CancelInvitationPayload,
    nullable: true,
    args: { input: t.arg({ type: CancelInvitationInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      return change(context, async ({ tx, caller, audit }) => {
        const invitation = await tx.invitation.findFirst({ where: { id: String(input.id), organizationId: caller.organizationId } });
        if (!invitation) throw notFound("Invitation");
        if (invitation.acceptedAt) throw new KeywardError("INVITATION_USED", "This invitation was already accepted.");
        if (invitation.cancelledAt) return { invitation };
        const cancelled = await tx.invitation.update({ where: { id: invitation.id }, data: { cancelledAt: new Date() } });
        await audit({ action: "INVITATION_CANCELLED", targetType: "Invitation", targetId: invitation.id, metadata: { email: invitation.email } });
        return { invitation: cancelled };
      });
    },
  }),
  acceptInvitation: t.field({
    type: AcceptInvitationPayload,
    nullable: true,
    description: "Needs no key: the code is the credential. Creates the membership and the first personal key.",
    args: { input: t.arg({ type: AcceptInvitationInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { prisma, requestInfo, rateLimits } = context;
      const client = throttlingKey(requestInfo.ip);
      await rateLimits.invitations.assertAllowed(client);
      const refuse = async (error: KeywardError) => {
        await rateLimits.invitations.fail(client);
        return error;
      };
      const keyName = validName(input.keyName ?? "Personal key", "keyName");
      const code = input.code.trim();
      const invitation = CODE_PATTERN.test(code)
        ? await prisma.invitation.findUnique({ where: { codeHash: hashSecret(code) } })
        : null;
      if (!invitation) throw await refuse(notFound("Invitation"));
      if (invitation.acceptedAt) throw await refuse(new KeywardError("INVITATION_USED", "This invitation was already used."));
      if (invitation.cancelledAt) throw await refuse(new KeywardError("INVITATION_CANCELLED", "This invitation was cancelled."));
      if (invitation.expiresAt <= new Date()) throw await refuse(new KeywardError("INVITATION_EXPIRED", "This invitation has expired."));

      return keylessChange(context, async ({ tx, touch, audit }) => {
        // Claimed atomically: of two concurrent accepts, one wins and the other is told it is used.
        const claimed = await tx.invitation.updateMany({
          where: { id: invitation.id, acceptedAt: null, cancelledAt: null },
          data: { acceptedAt: new Date() },
        });
        if (claimed.count === 0) throw new KeywardError("INVITATION_USED", "This invitation was already used.");
        if (!(await issuerMayStillGrant(tx, invitation))) {
          throw new KeywardError("INVITATION_CANCELLED", "Whoever sent this invitation may no longer give that role.");
        }
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
        // Removal revoked this person's keys here; should one have escaped, joining again never revives it.
        const leftover = await revokePersonalKeys({ tx, touch }, invitation.organizationId, user.id);
        for (const { id, status } of leftover) {
          await audit(actor, { action: "API_KEY_REVOKED", targetType: "ApiKey", targetId: id, metadata: { from: status, to: "REVOKED", reason: "rejoined" } });
        }
        await audit(actor, {
          action: "MEMBER_JOINED",
          targetType: "User",
          targetId: user.id,
          metadata: { email: user.email, role: invitation.role, invitationId: invitation.id },
        });
        const { apiKey, secret } = await issueKeyInChange({ tx, actor, touch }, {
          kind: "PERSONAL",
          ownerId: user.id,
          name: keyName,
          environment: "LIVE",
          scopes: [...scopesOfRole(invitation.role)],
          // As long as the organization's policy allows (no limit: no expiry).
          expiresAt: defaultExpiry(await currentPolicy(tx, invitation.organizationId)),
        });
        touch({ userIds: [user.id] });
        return { user, membership, apiKey, secret };
      });
    },
  }),
}));

import { builder } from "../builder.ts";
import { platformChange } from "../domain/change.ts";
import { addTenantMember, conflictOnExternalId, createTenant, deleteTenant, updateTenant } from "../domain/tenants.ts";
import type { PlatformContext } from "../context.ts";
import type { Membership as MembershipRow, Organization as OrganizationRow, User as UserRow } from "../generated/prisma/client.ts";
import { assertCursors } from "./cursors.ts";
import { RoleEnum } from "./enums.ts";
import { Membership } from "./members.ts";
import { Organization, User } from "./organization.ts";

const EXTERNAL_ID = "The product's own id: 1–128 characters, no control characters; unique.";
const METADATA = "A JSON object, at most 4 KB serialized.";

const CreateOrganizationAdminInput = builder.inputType("CreateOrganizationAdminInput", {
  fields: (t) => ({ email: t.string({ required: true }), externalId: t.string({ description: EXTERNAL_ID }) }),
});
const CreateOrganizationInput = builder.inputType("CreateOrganizationInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: "1–100 characters." }),
    externalId: t.string({ description: `${EXTERNAL_ID} A second call with the same value answers CONFLICT with extensions.organizationId.` }),
    metadata: t.field({ type: "JSONObject", description: METADATA }),
    admin: t.field({ type: CreateOrganizationAdminInput, required: true, description: "The first admin (reused by email when the person exists)." }),
  }),
});
const UpdateOrganizationInput = builder.inputType("UpdateOrganizationInput", {
  fields: (t) => ({
    id: t.id({ required: true }),
    name: t.string(),
    externalId: t.string({ description: EXTERNAL_ID }),
    metadata: t.field({ type: "JSONObject", description: `${METADATA} null clears it.` }),
  }),
});
const DeleteOrganizationInput = builder.inputType("DeleteOrganizationInput", {
  fields: (t) => ({
    id: t.id({ required: true }),
    confirm: t.boolean({ defaultValue: false, description: "Required: the organization's keys, members and audit log go with it." }),
  }),
});
const AddMemberInput = builder.inputType("AddMemberInput", {
  fields: (t) => ({
    organizationId: t.id({ required: true }),
    email: t.string({ required: true }),
    externalId: t.string({ description: EXTERNAL_ID }),
    role: t.field({ type: RoleEnum, defaultValue: "MEMBER" }),
  }),
});

const CreateOrganizationPayload = builder.objectRef<{ organization: OrganizationRow; admin: UserRow }>("CreateOrganizationPayload").implement({
  fields: (t) => ({ organization: t.expose("organization", { type: Organization }), admin: t.expose("admin", { type: User }) }),
});
const UpdateOrganizationPayload = builder.objectRef<{ organization: OrganizationRow }>("UpdateOrganizationPayload").implement({
  fields: (t) => ({ organization: t.expose("organization", { type: Organization }) }),
});
const DeleteOrganizationPayload = builder.objectRef<{ deletedOrganizationId: string }>("DeleteOrganizationPayload").implement({
  fields: (t) => ({ deletedOrganizationId: t.exposeID("deletedOrganizationId") }),
});
const AddMemberPayload = builder.objectRef<{ membership: MembershipRow; user: UserRow }>("AddMemberPayload").implement({
  fields: (t) => ({ membership: t.expose("membership", { type: Membership }), user: t.expose("user", { type: User }) }),
});

/**
 * Two creations with one externalId at once: the loser's unique violation becomes the same
 * CONFLICT (naming the winner) that a later call gets.
 */
async function idempotent<T>(context: PlatformContext, externalId: string | null | undefined, create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (externalId == null || (error as { code?: string })?.code !== "P2002") throw error;
    return platformChange(context, async ({ tx }) => {
      await conflictOnExternalId(tx, externalId);
      throw error;
    });
  }
}

builder.queryField("organizations", (t) =>
  t.withAuth({ platform: "PLATFORM_READ" }).prismaConnection(
    {
      type: "Organization",
      cursor: "id",
      description: "Every organization (platform keys), oldest first; `externalId` finds one by the product's id.",
      args: { externalId: t.arg.string() },
      resolve: (query, _root, args, { prisma }) => {
        assertCursors(args, "uuid");
        return prisma.organization.findMany({ ...query, where: args.externalId == null ? {} : { externalId: args.externalId }, orderBy: { id: "asc" } });
      },
    },
    { name: "OrganizationConnection" },
    { name: "OrganizationEdge" },
  ),
);

builder.mutationFields((t) => {
  const platformWrite = t.withAuth({ platform: "PLATFORM_WRITE" });
  return {
    createOrganization: platformWrite.field({
      type: CreateOrganizationPayload,
      nullable: true,
      description: "A tenant: an organization and its first admin, audited in it with the platform key as actor.",
      args: { input: t.arg({ type: CreateOrganizationInput, required: true }) },
      resolve: (_root, { input }, context) => idempotent(context, input.externalId, () => platformChange(context, (step) => createTenant(step, input))),
    }),
    updateOrganization: platformWrite.field({
      type: UpdateOrganizationPayload,
      nullable: true,
      description: "Renames an organization, or changes its externalId or metadata (fields left out stay as they are).",
      args: { input: t.arg({ type: UpdateOrganizationInput, required: true }) },
      resolve: (_root, { input }, context) =>
        idempotent(context, input.externalId, () =>
          platformChange(context, async (step) => ({ organization: await updateTenant(step, String(input.id), input) })),
        ),
    }),
    deleteOrganization: platformWrite.field({
      type: DeleteOrganizationPayload,
      nullable: true,
      description: "Removes an organization with its keys (refused at once on every instance), members' places and audit log. Needs confirm: true.",
      args: { input: t.arg({ type: DeleteOrganizationInput, required: true }) },
      resolve: (_root, { input }, context) =>
        platformChange(context, async (step) => {
          await deleteTenant(step, String(input.id), input.confirm ?? false);
          return { deletedOrganizationId: String(input.id) };
        }),
    }),
    addMember: platformWrite.field({
      type: AddMemberPayload,
      nullable: true,
      description: "Makes a person (created by email when new) a member without an invitation.",
      args: { input: t.arg({ type: AddMemberInput, required: true }) },
      resolve: (_root, { input }, context) =>
        platformChange(context, (step) =>
          addTenantMember(step, { organizationId: String(input.organizationId), email: input.email, externalId: input.externalId, role: input.role ?? "MEMBER" }),
        ),
    }),
  };
});

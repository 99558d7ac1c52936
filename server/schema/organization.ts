import { builder } from "../builder.ts";
import { badInput, deletedMeanwhile, notFound } from "../errors.ts";

export const Organization = builder.prismaObject("Organization", {
  select: { id: true },
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    slug: t.exposeString("slug"),
    externalId: t.exposeString("externalId", { nullable: true, description: "The product's own id for this organization (set by platform keys)." }),
    metadata: t.field({
      type: "JSONObject",
      nullable: true,
      description: "Set by platform keys only.",
      select: { metadata: true },
      resolve: (organization) => organization.metadata as Record<string, unknown> | null,
    }),
    createdByPlatform: t.exposeBoolean("createdByPlatform", {
      description: "Made by a platform key (createOrganization): its new keys get no Keyward scope unless they name some.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const User = builder.prismaObject("User", {
  fields: (t) => ({
    id: t.exposeID("id"),
    email: t.exposeString("email"),
    externalId: t.exposeString("externalId", { nullable: true, description: "The product's own id for this person (set by platform keys)." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

builder.queryField("organization", (t) =>
  t.withAuth({ $any: { scope: "ORG_READ", platform: "PLATFORM_READ" } }).prismaField({
    type: "Organization",
    description:
      "An organization key: its own organization (naming another by id or externalId is NOT_FOUND, as for one that does not exist). A platform key (PLATFORM_READ): the organization it names by `id` or `externalId`.",
    args: { id: t.arg.id(), externalId: t.arg.string() },
    resolve: async (query, _root, args, { prisma, principal }) => {
      const named = { ...(args.id != null ? { id: String(args.id) } : {}), ...(args.externalId != null ? { externalId: args.externalId } : {}) };
      if (!principal && Object.keys(named).length === 0) throw badInput("A platform key names the organization: pass id or externalId.", "id");
      // An organization key sees its own organization only, whatever it names.
      const where = principal ? { AND: [named, { id: principal.organizationId }] } : named;
      const organization = await prisma.organization.findFirst({ ...query, where });
      if (organization) return organization;
      if (principal && Object.keys(named).length === 0) deletedMeanwhile("The organization of this request");
      throw notFound("Organization");
    },
  }),
);

import { builder } from "../builder.ts";
import { deletedMeanwhile } from "../errors.ts";

export const Organization = builder.prismaObject("Organization", {
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    slug: t.exposeString("slug"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

export const User = builder.prismaObject("User", {
  fields: (t) => ({
    id: t.exposeID("id"),
    email: t.exposeString("email"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

builder.queryField("organization", (t) =>
  t.withAuth({ scope: "ORG_READ" }).prismaField({
    type: "Organization",
    description: "The organization the calling key belongs to.",
    resolve: async (query, _root, _args, { prisma, principal }) =>
      (await prisma.organization.findUnique({ ...query, where: { id: principal.organizationId } })) ??
      deletedMeanwhile("The organization of this request"),
  }),
);

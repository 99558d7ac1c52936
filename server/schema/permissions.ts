import { builder } from "../builder.ts";
import { platformChange } from "../domain/change.ts";
import { catalogOf, MAX_CATALOG_ENTRIES, MAX_DESCRIPTION, PERMISSION_NAME, setCatalog, type CatalogEntry } from "../domain/permissions.ts";
import { notFound } from "../errors.ts";
import type { Organization as OrganizationRow } from "../generated/prisma/client.ts";
import { Organization } from "./organization.ts";

export const PermissionDefinition = builder.objectRef<CatalogEntry>("PermissionDefinition").implement({
  description: "A permission of the product's own (not a Keyward scope) that keys may carry, as the product's catalogue defines it.",
  fields: (t) => ({
    name: t.exposeString("name", { description: `Matches ${PERMISSION_NAME.source}, e.g. invoices:read.` }),
    description: t.exposeString("description"),
    global: t.exposeBoolean("global", { description: "From the catalogue for every organization (false: the organization's own, which wins on a shared name)." }),
  }),
});

const PermissionDefinitionInput = builder.inputType("PermissionDefinitionInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: `Matches ${PERMISSION_NAME.source}.` }),
    description: t.string({ defaultValue: "", description: `At most ${MAX_DESCRIPTION} characters.` }),
  }),
});

const SetPermissionCatalogInput = builder.inputType("SetPermissionCatalogInput", {
  fields: (t) => ({
    organizationId: t.id({ description: "The organization whose own catalogue this is; left out (or null): the catalogue for every organization." }),
    permissions: t.field({
      type: [PermissionDefinitionInput],
      required: true,
      description: `The whole catalogue (it replaces the previous one): at most ${MAX_CATALOG_ENTRIES} entries, each name once.`,
    }),
  }),
});

const SetPermissionCatalogPayload = builder
  .objectRef<{ organization: OrganizationRow | null; permissions: CatalogEntry[] }>("SetPermissionCatalogPayload")
  .implement({
    fields: (t) => ({
      organization: t.expose("organization", { type: Organization, nullable: true, description: "null for the catalogue for every organization." }),
      permissions: t.expose("permissions", { type: [PermissionDefinition], description: "The catalogue as set (the organization's own entries, or the global ones)." }),
    }),
  });

const CATALOG =
  "What keys of an organization may carry in `permissions`: the catalogue for every organization and the organization's own, by name. A key keeps a name that later leaves the catalogue (verifyApiKey still reports it).";

builder.prismaObjectField("Organization", "permissionCatalog", (t) =>
  t.field({
    type: [PermissionDefinition],
    description: CATALOG,
    select: { id: true },
    resolve: (organization, _args, { prisma }) => catalogOf(prisma, organization.id),
  }),
);

builder.queryField("permissionCatalog", (t) =>
  t.withAuth({ $any: { scope: "ORG_READ", platform: "PLATFORM_READ" } }).field({
    type: [PermissionDefinition],
    description: `${CATALOG} An organization key reads its own organization's (naming another is NOT_FOUND). A platform key names \`organizationId\`, or leaves it out for the catalogue for every organization alone.`,
    args: { organizationId: t.arg.id() },
    resolve: async (_root, args, { prisma, principal }) => {
      const named = args.organizationId == null ? null : String(args.organizationId);
      if (principal) {
        if (named !== null && named !== principal.organizationId) throw notFound("Organization");
        return catalogOf(prisma, principal.organizationId);
      }
      if (named !== null && !(await prisma.organization.findUnique({ where: { id: named }, select: { id: true } }))) throw notFound("Organization");
      return catalogOf(prisma, named);
    },
  }),
);

builder.mutationField("setPermissionCatalog", (t) =>
  t.withAuth({ platform: "PLATFORM_WRITE" }).field({
    type: SetPermissionCatalogPayload,
    nullable: true,
    description:
      "Replaces a permission catalogue: an organization's own, or (no organizationId) the one for every organization. Audited in the organization's log, or the platform's for the global one.",
    args: { input: t.arg({ type: SetPermissionCatalogInput, required: true }) },
    resolve: (_root, { input }, context) => {
      const organizationId = input.organizationId == null ? null : String(input.organizationId);
      const entries = input.permissions.map((p) => ({ name: p.name, description: p.description ?? "" }));
      return platformChange(context, async (step) => {
        const rows = await setCatalog(step, organizationId, entries);
        const organization = organizationId === null ? null : await step.tx.organization.findUniqueOrThrow({ where: { id: organizationId } });
        return { organization, permissions: rows.map((r) => ({ name: r.name, description: r.description, global: r.organizationId === null })) };
      });
    },
  }),
);

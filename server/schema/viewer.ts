import type { Principal } from "../auth/principal.ts";
import { builder } from "../builder.ts";
import { deletedMeanwhile } from "../errors.ts";
import { ApiKey } from "./apiKey.ts";
import { RoleEnum, ScopeEnum } from "./enums.ts";
import type { ApiKey as ApiKeyRow } from "../generated/prisma/client.ts";
import { Organization, User } from "./organization.ts";
import { selectedFields } from "./selection.ts";

/** The fields of `viewer.apiKey` the authenticated principal already holds. */
const FROM_MEMORY = new Set(["__typename", "id", "name", "kind", "environment", "status"]);

const Viewer = builder.objectRef<Principal>("Viewer").implement({
  description: "The caller: the key (or console session) that authenticated this request and whom it speaks for.",
  fields: (t) => ({
    apiKey: t.prismaField({
      type: ApiKey,
      nullable: true,
      description:
        "The key that authenticated this request; null for a console session, which acts as its user. Asked only for id, name, kind, environment and status, it is answered from what authentication verified, without reading the database.",
      resolve: async (query, principal, _args, { prisma }, info) => {
        if (principal.keyId === null) return null;
        // What authentication verified from memory is enough for these fields (a "which key am I"
        // check reads no database). The key was enabled when this request was authenticated.
        if (principal.kind !== "SESSION" && [...selectedFields(info)].every((name) => FROM_MEMORY.has(name))) {
          const known = { id: principal.keyId, name: principal.keyName, kind: principal.kind, environment: principal.environment, status: "ENABLED" } satisfies Pick<ApiKeyRow, "id" | "name" | "kind" | "environment" | "status">;
          // Only these columns are read: the selection asked for nothing else.
          return known as ApiKeyRow;
        }
        return (await prisma.apiKey.findUnique({ ...query, where: { id: principal.keyId } })) ?? deletedMeanwhile("The API key of this request");
      },
    }),
    user: t.prismaField({
      type: User,
      nullable: true,
      description: "The owner of a personal key; null for service keys.",
      resolve: (query, principal, _args, { prisma }) =>
        principal.userId ? prisma.user.findUnique({ ...query, where: { id: principal.userId } }) : null,
    }),
    organization: t.prismaField({
      type: Organization,
      resolve: async (query, principal, _args, { prisma }) =>
        (await prisma.organization.findUnique({ ...query, where: { id: principal.organizationId } })) ??
        deletedMeanwhile("The organization of this request"),
    }),
    role: t.field({ type: RoleEnum, nullable: true, resolve: (principal) => principal.role }),
    scopes: t.field({
      type: [ScopeEnum],
      description: "What this key may do right now: its scopes ∩ its owner's role.",
      resolve: (principal) => [...principal.scopes],
    }),
  }),
});

builder.queryField("viewer", (t) =>
  t.withAuth({ authenticated: true }).field({
    type: Viewer,
    description: "Who am I: any valid key may ask.",
    resolve: (_root, _args, { principal }) => principal,
  }),
);


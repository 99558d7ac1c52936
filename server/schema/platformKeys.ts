import { maskKey } from "../auth/key.ts";
import { isPlatformScope } from "../auth/platformScopes.ts";
import { builder } from "../builder.ts";
import { platformChange } from "../domain/change.ts";
import { issuePlatformKey, revokePlatformKey } from "../domain/platformKeys.ts";
import type { ApiKey as ApiKeyRow, Prisma } from "../generated/prisma/client.ts";
import { assertCursors } from "./cursors.ts";
import { ApiKeyStatusEnum, AuditActionEnum, PlatformScopeEnum } from "./enums.ts";

export const PlatformKey = builder.prismaObject("ApiKey", {
  variant: "PlatformKey",
  select: { id: true },
  description: "An operator's key: belongs to no organization and carries only platform scopes. Never carries its secret or hash.",
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    status: t.expose("status", { type: ApiKeyStatusEnum }),
    scopes: t.field({ type: [PlatformScopeEnum], select: { scopes: true }, resolve: (key) => key.scopes.filter(isPlatformScope) }),
    maskedKey: t.string({
      select: { environment: true, lastFour: true },
      resolve: (key) => maskKey(key.environment === "LIVE" ? "live" : "test", key.id, key.lastFour),
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    lastUsedAt: t.field({
      type: "DateTime",
      nullable: true,
      select: { lastUsedAt: true },
      resolve: (key, _args, { usage }) => usage.lastUsedAt(key.id, key.lastUsedAt),
    }),
  }),
});

const CreatePlatformKeyInput = builder.inputType("CreatePlatformKeyInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: "1–100 characters." }),
    scopes: t.field({ type: [PlatformScopeEnum], description: "Defaults to every platform scope; never one the calling key lacks (FORBIDDEN)." }),
  }),
});
const RevokePlatformKeyInput = builder.inputType("RevokePlatformKeyInput", { fields: (t) => ({ id: t.id({ required: true }) }) });

const CreatePlatformKeyPayload = builder.objectRef<{ platformKey: ApiKeyRow; secret: string }>("CreatePlatformKeyPayload").implement({
  description: "A platform key with its full secret, shown here once.",
  fields: (t) => ({
    platformKey: t.expose("platformKey", { type: PlatformKey }),
    secret: t.exposeString("secret", { description: "The full key. Store it now: Keyward keeps only its hash." }),
  }),
});
const RevokePlatformKeyPayload = builder.objectRef<{ platformKey: ApiKeyRow }>("RevokePlatformKeyPayload").implement({
  fields: (t) => ({ platformKey: t.expose("platformKey", { type: PlatformKey }) }),
});

builder.queryFields((t) => ({
  platformKeys: t.withAuth({ platform: "PLATFORM_WRITE" }).prismaConnection(
    {
      type: PlatformKey,
      cursor: "createdAt_id",
      description: "Every platform key, newest first (revoked ones included).",
      resolve: (query, _root, args, { prisma }) => {
        assertCursors(args, "createdAtKeyId");
        return prisma.apiKey.findMany({ ...query, where: { kind: "PLATFORM" }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
      },
    },
    { name: "PlatformKeyConnection" },
    { name: "PlatformKeyEdge" },
  ),
  platformAuditEvents: t.withAuth({ platform: "PLATFORM_READ" }).prismaConnection(
    {
      type: "AuditEvent",
      cursor: "id",
      description: "Platform-level events (platform keys created and revoked, organizations deleted), newest first.",
      args: { action: t.arg({ type: AuditActionEnum }) },
      resolve: (query, _root, args, { prisma }) => {
        assertCursors(args, "uuid");
        const where: Prisma.AuditEventWhereInput = { organizationId: null, ...(args.action ? { action: args.action } : {}) };
        return prisma.auditEvent.findMany({ ...query, where, orderBy: { id: "desc" } });
      },
    },
    { name: "PlatformAuditEventConnection" },
    { name: "PlatformAuditEventEdge" },
  ),
}));

builder.mutationFields((t) => {
  const platformWrite = t.withAuth({ platform: "PLATFORM_WRITE" });
  return {
    createPlatformKey: platformWrite.field({
      type: CreatePlatformKeyPayload,
      nullable: true,
      description: "Creates a platform key and returns its full secret, once.",
      args: { input: t.arg({ type: CreatePlatformKeyInput, required: true }) },
      resolve: (_root, { input }, context) =>
        platformChange(context, (step) => issuePlatformKey(step, step.actor, input, context.platform.scopes)),
    }),
    revokePlatformKey: platformWrite.field({
      type: RevokePlatformKeyPayload,
      nullable: true,
      description: "Permanent: refused on every instance from the next request on.",
      args: { input: t.arg({ type: RevokePlatformKeyInput, required: true }) },
      resolve: (_root, { input }, context) =>
        platformChange(context, async (step) => ({ platformKey: await revokePlatformKey(step, step.actor, String(input.id)) })),
    }),
  };
});

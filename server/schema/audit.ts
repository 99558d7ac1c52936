import { builder } from "../builder.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { assertCursors } from "./cursors.ts";
import { AuditActionEnum } from "./enums.ts";

builder.prismaObject("AuditEvent", {
  description: "One change, recorded in the same transaction as the change itself.",
  fields: (t) => ({
    id: t.exposeID("id"),
    action: t.expose("action", { type: AuditActionEnum }),
    actorKeyId: t.exposeID("actorKeyId", { nullable: true }),
    actorUserId: t.exposeID("actorUserId", { nullable: true }),
    targetType: t.exposeString("targetType", { nullable: true }),
    targetId: t.exposeID("targetId", { nullable: true }),
    ip: t.exposeString("ip", { nullable: true }),
    userAgent: t.exposeString("userAgent", { nullable: true }),
    metadata: t.field({
      type: "JSONObject",
      nullable: true,
      select: { metadata: true },
      resolve: (event) => event.metadata as Record<string, unknown> | null,
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

builder.queryField("auditEvents", (t) =>
  t.withAuth({ scope: "AUDIT_READ" }).prismaConnection(
    {
      type: "AuditEvent",
      cursor: "id",
      description: "What happened in the organization (key and member changes, failed authentication bursts), newest first.",
      args: {
        action: t.arg({ type: AuditActionEnum }),
        apiKeyId: t.arg.id({ description: "Only events about this key (as target or as actor)." }),
      },
      resolve: (query, _root, args, { prisma, principal }) => {
        assertCursors(args, "uuid");
        const where: Prisma.AuditEventWhereInput = { organizationId: principal.organizationId };
        if (args.action) where.action = args.action;
        if (args.apiKeyId) {
          const id = String(args.apiKeyId);
          where.OR = [{ targetId: id }, { actorKeyId: id }];
        }
        return prisma.auditEvent.findMany({ ...query, where, orderBy: { id: "desc" } });
      },
    },
    { name: "AuditEventConnection" },
    { name: "AuditEventEdge" },
  ),
);

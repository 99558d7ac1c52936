import { maskKey } from "../auth/key.ts";
import { isScope } from "../auth/scopes.ts";
import type { Principal } from "../auth/principal.ts";
import { builder } from "../builder.ts";
import { usedInLast24Hours } from "../domain/apiKeys.ts";
import { POLICY_MAX_DAYS, violatesPolicy, violatingKeys } from "../domain/organizationPolicy.ts";
import { badInput } from "../errors.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { DAY_MS } from "../infra/usageTracker.ts";
import { assertCursors } from "./cursors.ts";
import { ApiKeyEnvironmentEnum, ApiKeyKindEnum, ApiKeyStatusEnum, ScopeEnum } from "./enums.ts";

export const ApiKey = builder.prismaObject("ApiKey", {
  // Select mode: a query loads the columns its fields ask for, not all 28 (arrays and JSON included).
  select: { id: true },
  description: "An API key. Never carries its secret or hash: the full key is shown once, when created or rotated.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The public part of the key, as it appears in the key itself." }),
    name: t.exposeString("name"),
    kind: t.field({
      type: ApiKeyKindEnum,
      select: { kind: true },
      resolve: ({ kind }) => {
        // Platform keys are listed as PlatformKey, never as an organization's ApiKey.
        if (kind === "PLATFORM") throw new Error("A platform key is not an organization's ApiKey.");
        return kind;
      },
    }),
    environment: t.expose("environment", { type: ApiKeyEnvironmentEnum }),
    status: t.expose("status", { type: ApiKeyStatusEnum }),
    scopes: t.field({
      type: [ScopeEnum],
      description: "The scopes stored on the key; it may do less when its owner's role allows less.",
      select: { scopes: true },
      resolve: (key) => key.scopes.filter(isScope),
    }),
    permissions: t.stringList({
      description: "The product's own permissions the key carries (names from the permission catalogue), as verifyApiKey reports them.",
      select: { permissions: true },
      resolve: (key) => key.permissions,
    }),
    maskedKey: t.string({
      description: "A form safe to display: kw_live_<id>_…<last four>.",
      select: { environment: true, lastFour: true },
      resolve: (key) => maskKey(key.environment === "LIVE" ? "live" : "test", key.id, key.lastFour),
    }),
    owner: t.relation("owner", { nullable: true, description: "The user a PERSONAL key belongs to." }),
    metadata: t.field({
      type: "JSONObject",
      nullable: true,
      description: "Set by platform keys only (so a product can trust it).",
      select: { metadata: true },
      resolve: (key) => key.metadata as Record<string, unknown> | null,
    }),
    createdBy: t.relation("createdBy", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", nullable: true }),
    expired: t.boolean({
      description: "Past its expiresAt: refused with API_KEY_EXPIRED, whatever its status says.",
      select: { expiresAt: true },
      resolve: (key) => key.expiresAt !== null && key.expiresAt.getTime() <= Date.now(),
    }),
    violatesPolicy: t.boolean({
      description:
        "Breaks the organization's policy as it is now: not revoked or expired, and issuing it today would be refused (no expiresAt where one is required, or one later than now + maxKeyLifetimeDays).",
      select: { status: true, expiresAt: true, organization: { select: { requireExpiry: true, maxKeyLifetimeDays: true } } },
      resolve: (key) => (key.organization ? violatesPolicy(key.organization, key) : false),
    }),
    lastUsedAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "Last successful use; includes uses not yet written to the database on this instance.",
      select: { lastUsedAt: true },
      resolve: (key, _args, { usage }) => usage.lastUsedAt(key.id, key.lastUsedAt),
    }),
    usedInLast24Hours: t.boolean({
      select: { lastUsedAt: true },
      resolve: (key, _args, { usage }) => usedInLast24Hours(usage.lastUsedAt(key.id, key.lastUsedAt)),
    }),
  }),
});

/** The keys a principal may see: all of its organization's, or (members) only their own. */
export function visibleKeys(principal: Principal): Prisma.ApiKeyWhereInput {
  return principal.organizationWide
    ? { organizationId: principal.organizationId }
    : { organizationId: principal.organizationId, kind: "PERSONAL", ownerId: principal.userId ?? "" };
}

builder.queryFields((t) => ({
  apiKeys: t.withAuth({ scope: "KEYS_READ" }).prismaConnection(
    {
      type: "ApiKey",
      cursor: "createdAt_id",
      description:
        "The organization's keys the caller may see (a member sees their own), newest first. Without `status`, enabled and disabled keys; revoked keys only when asked for.",
      args: {
        status: t.arg({ type: ApiKeyStatusEnum }),
        environment: t.arg({ type: ApiKeyEnvironmentEnum }),
        kind: t.arg({ type: ApiKeyKindEnum }),
        ownerId: t.arg.id(),
        unusedSince: t.arg({
          type: "DateTime",
          description: "Only keys not used since this time (never-used keys included): candidates for clean-up.",
        }),
        violatesPolicy: t.arg.boolean({
          description: "true: only keys that break the organization's policy as it is now (see ApiKey.violatesPolicy); false: only keys that do not.",
        }),
        expiringWithin: t.arg.int({
          description: `Only keys (not revoked) that have not expired yet and expire within this many days from now: 1 to ${POLICY_MAX_DAYS}.`,
        }),
      },
      resolve: async (query, _root, args, { prisma, principal, usage }) => {
        assertCursors(args, "createdAtKeyId");
        const now = new Date();
        const within = args.expiringWithin;
        if (within != null && (within < 1 || within > POLICY_MAX_DAYS)) {
          throw badInput(`expiringWithin must be from 1 to ${POLICY_MAX_DAYS} days.`, "expiringWithin");
        }
        const where: Prisma.ApiKeyWhereInput = {
          ...visibleKeys(principal),
          status: args.status ?? { in: ["ENABLED", "DISABLED"] },
          ...(args.environment ? { environment: args.environment } : {}),
          ...(args.kind ? { kind: args.kind } : {}),
        };
        const and: Prisma.ApiKeyWhereInput[] = [];
        if (args.ownerId) and.push({ ownerId: String(args.ownerId) });
        if (args.unusedSince) {
          and.push({ OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: args.unusedSince } }] });
          const seen = usage.usedSince(args.unusedSince);
          if (seen.length > 0) and.push({ id: { notIn: seen } });
        }
        if (within != null) {
          and.push({ status: { not: "REVOKED" }, expiresAt: { gt: now, lte: new Date(now.getTime() + within * DAY_MS) } });
        }
        if (args.violatesPolicy != null) {
          const policy = await prisma.organization.findUnique({
            where: { id: principal.organizationId },
            select: { requireExpiry: true, maxKeyLifetimeDays: true },
          });
          const violating = policy ? violatingKeys(policy, now) : null;
          // No rule, no key breaks it.
          if (args.violatesPolicy) and.push(violating ?? { id: { in: [] } });
          else if (violating) and.push({ NOT: violating });
        }
        return prisma.apiKey.findMany({
          ...query,
          where: { ...where, AND: and },
          orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        });
      },
    },
    { name: "ApiKeyConnection" },
    { name: "ApiKeyEdge" },
  ),
  apiKey: t.withAuth({ scope: "KEYS_READ" }).prismaField({
    type: "ApiKey",
    nullable: true,
    description: "null when no such key is visible to the caller (other organizations' keys never are).",
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, { prisma, principal }) =>
      prisma.apiKey.findFirst({ ...query, where: { ...visibleKeys(principal), id: String(id) } }),
  }),
}));

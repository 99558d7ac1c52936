import { builder } from "../builder.ts";
import { badInput, notFound } from "../errors.ts";
import { DAY_MS } from "../infra/usageTracker.ts";
import { visibleKeys } from "./apiKey.ts";

const MAX_DAYS = 366;

interface UsageDay {
  date: string;
  requests: number;
}

const ApiKeyUsageDay = builder.objectRef<UsageDay>("ApiKeyUsageDay").implement({
  description: "Successful requests (and verifications) with one key on one UTC day.",
  fields: (t) => ({
    date: t.field({ type: "Date", resolve: (day) => day.date }),
    requests: t.exposeInt("requests"),
  }),
});

builder.queryField("apiKeyUsage", (t) =>
  t.withAuth({ scope: "KEYS_READ" }).field({
    type: [ApiKeyUsageDay],
    description: `Daily counts from \`from\` to \`to\` (UTC days, both included, at most ${MAX_DAYS}), zeros included; counts not yet flushed on this instance included.`,
    args: {
      id: t.arg.id({ required: true }),
      from: t.arg({ type: "DateTime", required: true }),
      to: t.arg({ type: "DateTime", required: true }),
    },
    resolve: async (_root, args, { prisma, principal, usage }) => {
      const first = Date.UTC(args.from.getUTCFullYear(), args.from.getUTCMonth(), args.from.getUTCDate());
      const last = Date.UTC(args.to.getUTCFullYear(), args.to.getUTCMonth(), args.to.getUTCDate());
      if (last < first) throw badInput("`to` must not be before `from`.", "to");
      if ((last - first) / DAY_MS + 1 > MAX_DAYS) throw badInput(`At most ${MAX_DAYS} days at a time.`, "to");
      const key = await prisma.apiKey.findFirst({ where: { ...visibleKeys(principal), id: String(args.id) }, select: { id: true } });
      // Like every other operation on one key: another organization's is indistinguishable from none.
      if (!key) throw notFound("API key");
      const stored = await prisma.apiKeyUsageDay.findMany({
        where: { apiKeyId: key.id, day: { gte: new Date(first), lte: new Date(last) } },
      });
      const counts = new Map(stored.map((row) => [row.day.toISOString().slice(0, 10), row.count]));
      for (const [day, n] of usage.pendingDays(key.id)) counts.set(day, (counts.get(day) ?? 0) + n);
      const days: UsageDay[] = [];
      for (let t = first; t <= last; t += DAY_MS) {
        const date = new Date(t).toISOString().slice(0, 10);
        days.push({ date, requests: counts.get(date) ?? 0 });
      }
      return days;
    },
  }),
);

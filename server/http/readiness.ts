import type { Services } from "../services.ts";

/**
 * `/readyz`: 200 when this instance can serve correctly, else 503 with the reasons, so a load
 * balancer takes it out of rotation: the database does not answer within 2 s (migrations ran
 * before the server was built), or the key change listener is down (revocations made on other
 * instances are then read from the database on every request until it reconnects).
 */
export async function readiness({ prisma, keyChanges }: Pick<Services, "prisma" | "keyChanges">): Promise<Response> {
  const reasons: string[] = [];
  if (!(await databaseReachable(prisma))) reasons.push("database unreachable");
  const listener = keyChanges.down;
  if (listener !== undefined) reasons.push(`key change listener down (${listener}), reconnecting`);
  return Response.json({ ready: reasons.length === 0, reasons }, { status: reasons.length ? 503 : 200 });
}

async function databaseReachable(prisma: Services["prisma"]): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 2_000)));
  const ping = prisma.$queryRaw`SELECT 1`.then(
    () => true,
    () => false,
  );
  return Promise.race([ping, timeout]).finally(() => clearTimeout(timer));
}

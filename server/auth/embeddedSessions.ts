import { randomBytes } from "node:crypto";
import type { PrismaClient, Role } from "../generated/prisma/client.ts";
import { hashSecret } from "./key.ts";
import type { Principal } from "./principal.ts";
import { personPrincipal } from "./sessions.ts";

/**
 * The embedded key page's credential (`<keyward-api-keys token>`), minted by a platform's
 * `createConsoleSession`. Its prefix tells it apart from an API key in `Authorization: Bearer`,
 * and from a console cookie's token, which has none: neither is ever taken for the other.
 */
export const EMBEDDED_TOKEN_PREFIX = "kwe_";
const EMBEDDED_BEARER = /^bearer[ \t]+(kwe_[A-Za-z0-9_-]{43})[ \t]*$/i;

export const newEmbeddedToken = () => `${EMBEDDED_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;

/**
 * The embedded token a request presents in `Authorization: Bearer`, alone (`X-API-Key` beside it
 * makes it an ordinary request, which the key rules then refuse as two credentials).
 */
export function embeddedTokenOf(request: Request): string | null {
  const authorization = request.headers.get("authorization");
  if (!authorization?.includes(EMBEDDED_TOKEN_PREFIX) || request.headers.has("x-api-key")) return null;
  return EMBEDDED_BEARER.exec(authorization.trim())?.[1] ?? null;
}

/** Why an embedded token speaks for no one. */
export type EmbeddedRefusal = "ENDED" | "WRONG_ORIGIN";

interface EmbeddedRow {
  id: string;
  userId: string;
  organizationId: string;
  allowedOrigin: string;
  email: string;
  role: Role | null;
  expiresAt: Date;
}

/**
 * The principal of an embedded token presented from `origin` (the request's `Origin` header),
 * read from the database on every request as console sessions are: removing or demoting the
 * member, or deleting the organization, reaches the embedded page on its next request.
 * `ENDED` when the token is unknown, past `expiresAt`, or its person is no longer a member;
 * `WRONG_ORIGIN` when the page calling is not the one the platform named.
 */
export async function embeddedPrincipal(
  prisma: PrismaClient,
  token: string,
  origin: string | null,
  now = Date.now(),
): Promise<Principal | EmbeddedRefusal> {
  const rows = await prisma.$queryRaw<EmbeddedRow[]>`
    SELECT e."id", e."userId", e."organizationId", e."allowedOrigin", u."email", m."role"::text AS "role", e."expiresAt"
    FROM "EmbeddedSession" e
    JOIN "User" u ON u."id" = e."userId"
    LEFT JOIN "Membership" m ON m."userId" = e."userId" AND m."organizationId" = e."organizationId"
    WHERE e."tokenHash" = ${hashSecret(token)}`;
  const row = rows[0];
  if (!row || row.role === null) return "ENDED";
  if (row.expiresAt.getTime() <= now) {
    await prisma.embeddedSession.deleteMany({ where: { id: row.id } });
    return "ENDED";
  }
  if (origin !== row.allowedOrigin) return "WRONG_ORIGIN";
  return { ...personPrincipal({ ...row, role: row.role }), embeddedOrigin: row.allowedOrigin };
}

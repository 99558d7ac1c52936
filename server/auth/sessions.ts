import { randomBytes } from "node:crypto";
import type { Config } from "../config.ts";
import type { PrismaClient, Role } from "../generated/prisma/client.ts";
import { hashSecret } from "./key.ts";
import type { Principal } from "./principal.ts";
import { scopesOfRole } from "./scopes.ts";

/** The console's cookie: a random token, of which only the SHA-256 is stored. */
export const SESSION_COOKIE = "keyward_session";
/** How long a sign-in link works (once). */
export const SIGN_IN_LINK_MS = 15 * 60_000;
/** `lastSeenAt` is written at most this often: a busy page does not write on every request. */
const TOUCH_EVERY_MS = 60_000;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** Who a session or sign-in link is for: a person, in one organization they belong to. */
export interface Member {
  userId: string;
  organizationId: string;
}

const newToken = () => randomBytes(32).toString("base64url");

/** The session token of a request's cookie, when it holds one of the right shape. */
export function sessionCookieOf(request: Request): string | null {
  const header = request.headers.get("cookie");
  if (!header?.includes(SESSION_COOKIE)) return null;
  for (const pair of header.split(";")) {
    const [name, value] = pair.trim().split("=", 2);
    if (name === SESSION_COOKIE) return wellFormedToken(value);
  }
  return null;
}

/** The cookie that carries a session (`token: null` clears it): never readable by scripts, never sent cross-site. */
export function sessionCookie(token: string | null, secure: boolean, maxMs: number): string {
  const value = token ?? "";
  const age = token ? Math.floor(maxMs / 1000) : 0;
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${age}${secure ? "; Secure" : ""}`;
}

/** A token of the right shape, or `null` (so a made-up value costs no database read). */
export function wellFormedToken(raw: unknown): string | null {
  return typeof raw === "string" && TOKEN.test(raw) ? raw : null;
}

/**
 * A one-time link that signs `member` in within 15 minutes. The token travels in the fragment,
 * which browsers never send to a server, so it reaches no access log and no Referer.
 */
export async function createSignInLink(
  prisma: Pick<PrismaClient, "signInLink">,
  config: Config,
  member: Member,
  now = Date.now(),
  { expiresAt = new Date(now + SIGN_IN_LINK_MS), returnUrl = null }: { expiresAt?: Date; returnUrl?: string | null } = {},
): Promise<string> {
  const token = newToken();
  await prisma.signInLink.create({ data: { ...member, tokenHash: hashSecret(token), expiresAt, returnUrl } });
  return `${config.publicUrl}/signin#${token}`;
}

/** A member signing in from a link: where the console's "Back to …" link leads, when a platform made the link. */
export interface SigningIn extends Member {
  returnUrl: string | null;
}

/** Uses a sign-in link: claimed atomically, so of two racing uses exactly one signs in. */
export async function redeemSignInLink(prisma: PrismaClient, token: string, now = Date.now()): Promise<SigningIn | null> {
  const tokenHash = hashSecret(token);
  const claimed = await prisma.signInLink.updateMany({
    where: { tokenHash, usedAt: null, expiresAt: { gt: new Date(now) } },
    data: { usedAt: new Date(now) },
  });
  if (claimed.count === 0) return null;
  const link = await prisma.signInLink.findUnique({ where: { tokenHash }, select: { userId: true, organizationId: true, returnUrl: true } });
  // The person may have left the organization since the link was made.
  return link && (await roleOf(prisma, link)) ? link : null;
}

export async function startSession(prisma: PrismaClient, config: Config, member: Member & { returnUrl?: string | null }, now = Date.now()): Promise<string> {
  const token = newToken();
  const { userId, organizationId, returnUrl = null } = member;
  await prisma.session.create({
    data: { userId, organizationId, returnUrl, tokenHash: hashSecret(token), lastSeenAt: new Date(now), expiresAt: new Date(now + config.session.maxMs) },
  });
  return token;
}

interface SessionRow {
  id: string;
  userId: string;
  organizationId: string;
  email: string;
  role: Role | null;
  lastSeenAt: Date;
  expiresAt: Date;
}

/**
 * The principal of a session token, read from the database on every request (console traffic
 * is people clicking): removing or demoting a member therefore reaches their sessions on every
 * instance at once. `null` when the session is unknown, ended, idle or past its end, or its
 * person is no longer a member.
 */
export async function sessionPrincipal(prisma: PrismaClient, config: Config, token: string, now = Date.now()): Promise<Principal | null> {
  const rows = await prisma.$queryRaw<SessionRow[]>`
    SELECT s."id", s."userId", s."organizationId", u."email", m."role"::text AS "role", s."lastSeenAt", s."expiresAt"
    FROM "Session" s
    JOIN "User" u ON u."id" = s."userId"
    LEFT JOIN "Membership" m ON m."userId" = s."userId" AND m."organizationId" = s."organizationId"
    WHERE s."tokenHash" = ${hashSecret(token)}`;
  const row = rows[0];
  if (!row || row.role === null) return null;
  if (row.expiresAt.getTime() <= now || row.lastSeenAt.getTime() + config.session.idleMs <= now) {
    await prisma.session.deleteMany({ where: { id: row.id } });
    return null;
  }
  if (now - row.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
    await prisma.session.updateMany({ where: { id: row.id }, data: { lastSeenAt: new Date(now) } });
  }
  return personPrincipal({ ...row, role: row.role });
}

/** A person signed in without a key (a console session, or the key page embedded in a product): the rights of their role. */
export function personPrincipal(row: { id: string; email: string; organizationId: string; userId: string; role: Role }): Principal {
  return {
    keyId: null,
    sessionId: row.id,
    keyName: row.email,
    kind: "SESSION",
    environment: "LIVE",
    organizationId: row.organizationId,
    userId: row.userId,
    role: row.role,
    scopes: scopesOfRole(row.role),
    organizationWide: row.role === "ADMIN",
  };
}

/** The "Back to …" page of a session (set when a platform's link began it). */
export async function returnUrlOf(prisma: PrismaClient, sessionId: string): Promise<string | null> {
  const session = await prisma.session.findUnique({ where: { id: sessionId }, select: { returnUrl: true } });
  return session?.returnUrl ?? null;
}

/** Signs out: the session ends server-side, whatever the browser keeps. */
export async function endSession(prisma: PrismaClient, token: string): Promise<void> {
  await prisma.session.deleteMany({ where: { tokenHash: hashSecret(token) } });
}

/** Moves a session to another organization of its person; `false` when they are not a member there. */
export async function switchOrganization(prisma: PrismaClient, sessionId: string, member: Member): Promise<boolean> {
  if (!(await roleOf(prisma, member))) return false;
  await prisma.session.update({ where: { id: sessionId }, data: { organizationId: member.organizationId } });
  return true;
}

async function roleOf(prisma: PrismaClient, { userId, organizationId }: Member): Promise<Role | null> {
  const membership = await prisma.membership.findUnique({
    where: { organizationId_userId: { organizationId, userId } },
    select: { role: true },
  });
  return membership?.role ?? null;
}

/** What the console shows of its session: the person, the organization it acts in, and the others they may switch to. */
export interface SessionView {
  user: { id: string; email: string };
  organization: { id: string; name: string; slug: string };
  role: Role;
  organizations: { id: string; name: string; slug: string; role: Role }[];
  /** The product's page to go back to, when a platform's `createConsoleSession` began the session; else `null`. */
  returnUrl: string | null;
}

export async function sessionView(prisma: PrismaClient, member: Member, returnUrl: string | null = null): Promise<SessionView> {
  const user = await prisma.user.findUniqueOrThrow({
    where: { id: member.userId },
    select: {
      id: true,
      email: true,
      memberships: { select: { role: true, organization: { select: { id: true, name: true, slug: true } } }, orderBy: { createdAt: "asc" } },
    },
  });
  const organizations = user.memberships.map(({ role, organization }) => ({ ...organization, role }));
  const current = organizations.find((o) => o.id === member.organizationId)!;
  return {
    user: { id: user.id, email: user.email },
    organization: { id: current.id, name: current.name, slug: current.slug },
    role: current.role,
    organizations,
    returnUrl,
  };
}

/**
 * A member to sign in by email (the CLI's `signin-link`, the first boot): in the organization
 * named by `slug`, or the only one they belong to.
 */
export async function memberByEmail(prisma: PrismaClient, email: string, slug?: string): Promise<Member | "unknown" | "ambiguous"> {
  const memberships = await prisma.membership.findMany({
    where: { user: { email }, ...(slug ? { organization: { slug } } : {}) },
    select: { userId: true, organizationId: true },
    orderBy: { createdAt: "asc" },
  });
  if (memberships.length === 0) return "unknown";
  if (memberships.length > 1) return "ambiguous";
  return memberships[0]!;
}

import { newEmbeddedToken } from "../auth/embeddedSessions.ts";
import { containsSecret, hashSecret } from "../auth/key.ts";
import { createSignInLink } from "../auth/sessions.ts";
import type { Config } from "../config.ts";
import { badInput, notFound } from "../errors.ts";
import { recordAudit } from "./audit.ts";
import { lockMembership, type PlatformStep } from "./change.ts";

const RETURN_URL_MAX = 2048;
const ORIGIN_MAX = 255;
export const CONSOLE_SESSION_MAX_SECONDS = 3600;
export const CONSOLE_SESSION_DEFAULT_SECONDS = 900;

export interface ConsoleSessionInput {
  organizationId: string;
  userId: string;
  returnUrl: string;
  allowedOrigin: string;
  expiresInSeconds?: number | null;
}

export interface ConsoleSession {
  /** One-time link signing the member in to Keyward's console. */
  url: string;
  /** Bearer token for `<keyward-api-keys token>` (shown once; only its hash is stored). */
  token: string;
  expiresAt: Date;
}

/** An absolute http(s) URL, as the console's "Back to …" link will point at it. */
export function validReturnUrl(raw: string): string {
  const field = "returnUrl";
  if (raw.length === 0 || raw.length > RETURN_URL_MAX) throw badInput(`returnUrl must be 1 to ${RETURN_URL_MAX} characters.`, field);
  const url = URL.parse(raw);
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) throw badInput("returnUrl must be an absolute http:// or https:// URL.", field);
  if (url.username || url.password) throw badInput("returnUrl must not carry a user name or password.", field);
  if (containsSecret(raw)) throw badInput("returnUrl must not contain an API key or invitation code.", field);
  return url.href;
}

/** `scheme://host[:port]` exactly as a browser sends it in `Origin`: no path, no trailing slash. */
export function validOrigin(raw: string): string {
  const field = "allowedOrigin";
  const url = raw.length <= ORIGIN_MAX ? URL.parse(raw) : null;
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.origin !== raw) {
    throw badInput('allowedOrigin must be an origin as browsers send it: "https://app.example.com" (scheme, host, optional port; no path or slash).', field);
  }
  return raw;
}

function validLifetime(raw: number | null | undefined): number {
  const seconds = raw ?? CONSOLE_SESSION_DEFAULT_SECONDS;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > CONSOLE_SESSION_MAX_SECONDS) {
    throw badInput(`expiresInSeconds must be 1 to ${CONSOLE_SESSION_MAX_SECONDS}.`, "expiresInSeconds");
  }
  return seconds;
}

/**
 * What a platform hands its signed-in user to manage their keys: a one-time link into Keyward's
 * console (as a hosted billing portal works) and a token for the embedded key page, both for one
 * member of one organization and both ending at `expiresAt`. Audited in the organization with
 * the platform key as actor; neither secret is recorded anywhere but as a hash.
 */
export async function createConsoleSession(step: PlatformStep, config: Config, input: ConsoleSessionInput, now = Date.now()): Promise<ConsoleSession> {
  const { tx } = step;
  const returnUrl = validReturnUrl(input.returnUrl);
  const allowedOrigin = validOrigin(input.allowedOrigin);
  const expiresAt = new Date(now + validLifetime(input.expiresInSeconds) * 1000);
  const member = { organizationId: input.organizationId, userId: input.userId };
  const organization = await tx.organization.findUnique({ where: { id: member.organizationId }, select: { id: true } });
  if (!organization) throw notFound("Organization");
  if (!(await lockMembership(tx, member.organizationId, member.userId, "share"))) throw notFound("Member");

  const url = await createSignInLink(tx, config, member, now, { expiresAt, returnUrl });
  const token = newEmbeddedToken();
  const embedded = await tx.embeddedSession.create({
    data: { ...member, tokenHash: hashSecret(token), allowedOrigin, expiresAt, createdByKeyId: step.actor.keyId },
    select: { id: true },
  });
  await recordAudit(tx, step.actorIn(member.organizationId), {
    action: "CONSOLE_SESSION_CREATED",
    targetType: "User",
    targetId: member.userId,
    metadata: { embeddedSessionId: embedded.id, allowedOrigin, returnUrl, expiresAt: expiresAt.toISOString() },
  });
  return { url, token, expiresAt };
}

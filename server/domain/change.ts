import { actorOf, recordAudit, type Actor, type AuditEntry, type PlatformActor } from "./audit.ts";
import type { KeyChange } from "../auth/changes.ts";
import { scopesOfRole } from "../auth/scopes.ts";
import type { Principal } from "../auth/principal.ts";
import type { AuthenticatedContext, PlatformContext } from "../context.ts";
import { authFailure, sessionEnded } from "../errors.ts";
import { Prisma, type Role } from "../generated/prisma/client.ts";
import type { Services } from "../services.ts";

/** What a change's work is handed: its transaction, the caller as the database says it is now, and its audit. */
export interface ChangeStep {
  tx: Prisma.TransactionClient;
  /** The calling key's permissions re-read under a lock on the owner's membership (see `currentCaller`). */
  caller: Principal;
  actor: Actor;
  /** Invalidates these keys (or people's keys) on every instance once the change commits. */
  touch: (change: KeyChange) => void;
  /** Written in the change's transaction, so the change and its record commit together. */
  audit: (entry: AuditEntry) => Promise<void>;
}

export interface ChangeOptions {
  /**
   * Serialize with every other change of the organization's membership (an advisory lock taken
   * first, so that lock order is always organization → memberships → keys).
   */
  organization?: boolean;
}

const RETRIES = 3;

/**
 * The one way an authenticated request changes state: one transaction holding the change, its
 * audit events and its cross-instance invalidation. Work locks the rows it decides on
 * (`lockKey`, `lockMembership`) and reads them inside, so concurrent changes serialize instead
 * of overwriting each other. A deadlock between two changes is retried from the start.
 */
export function change<T>(
  context: AuthenticatedContext,
  work: (step: ChangeStep) => Promise<T>,
  options: ChangeOptions = {},
): Promise<T> {
  const actor = actorOf(context);
  return keylessChange(context, async ({ tx, touch }) => {
    if (options.organization) await lockOrganization(tx, context.principal.organizationId);
    const caller = await currentCaller(tx, context.principal);
    return work({ tx, caller, actor, touch, audit: (entry) => recordAudit(tx, actor, entry) });
  });
}

/** What a platform key's change is handed: platform-level audit, and an actor for each organization it acts in. */
export interface PlatformStep {
  tx: Prisma.TransactionClient;
  touch: (change: KeyChange) => void;
  /** The platform key, for platform-level events (no organization). */
  actor: PlatformActor;
  /** Audited at platform level. */
  audit: (entry: AuditEntry) => Promise<void>;
  /** The platform key as actor inside `organizationId`: its events go to that organization's log, `via: "platform"`. */
  actorIn: (organizationId: string) => Actor;
}

/**
 * `change()` for a platform key: the same transaction, audit and invalidation. The key's row is
 * read under a share lock first, so a change racing the key's revocation either finishes before
 * it or finds the key revoked (the cache that let the request in may be a moment old).
 */
export function platformChange<T>({ platform, requestInfo, ...services }: PlatformContext, work: (step: PlatformStep) => Promise<T>): Promise<T> {
  const actor: PlatformActor = { ...requestInfo, organizationId: null, keyId: platform.keyId, userId: null };
  return keylessChange(services, async ({ tx, touch }) => {
    const rows = await tx.$queryRaw<{ status: string }[]>`
      SELECT "status"::text AS "status" FROM "ApiKey" WHERE "id" = ${platform.keyId} AND "kind" = 'PLATFORM' FOR SHARE`;
    const status = rows[0]?.status;
    if (status !== "ENABLED") throw authFailure(status === "DISABLED" ? "API_KEY_DISABLED" : "API_KEY_REVOKED");
    return work({
      tx,
      touch,
      actor,
      audit: (entry) => recordAudit(tx, actor, entry),
      actorIn: (organizationId) => ({ ...requestInfo, organizationId, keyId: platform.keyId, userId: null, via: "platform" }),
    });
  });
}

/** What a change made without a key is handed: its actor is known only once the change has read who it is. */
export interface KeylessStep {
  tx: Prisma.TransactionClient;
  touch: (change: KeyChange) => void;
  audit: (actor: Actor | PlatformActor, entry: AuditEntry) => Promise<void>;
}

/**
 * Where `keylessChange` runs: in the server (invalidations announced to every instance), or on
 * Keyward's machine without one (`keyward init`, the first boot), where a change creates and
 * so has nothing to invalidate.
 */
export type KeylessServices = Pick<Services, "prisma"> & Partial<Pick<Services, "keyChanges">>;

/**
 * `change()` for the changes no key makes: accepting an invitation (a code stands in for the
 * key), signing up, the first boot and `init`, a failed-authentication burst's audit event. The
 * same transaction, audit and invalidation, retried the same way after a deadlock.
 */
export async function keylessChange<T>(
  { prisma, keyChanges }: KeylessServices,
  work: (step: KeylessStep) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const keyIds = new Set<string>();
    const userIds = new Set<string>();
    const touch = (change: KeyChange) => {
      for (const id of change.keyIds ?? []) keyIds.add(id);
      for (const id of change.userIds ?? []) userIds.add(id);
    };
    const touched = () => ({ keyIds: [...keyIds], userIds: [...userIds] });
    try {
      const result = await prisma.$transaction(async (tx) => {
        const value = await work({ tx, touch, audit: (actor, entry) => recordAudit(tx, actor, entry) });
        if (keyChanges) await keyChanges.announce(tx, touched());
        else if (keyIds.size + userIds.size > 0) throw new Error("This change invalidates keys: it needs the running server's keyChanges.");
        return value;
      });
      keyChanges?.apply(touched());
      return result;
    } catch (error) {
      if (attempt >= RETRIES || !isConflict(error)) throw error;
    }
  }
}

async function lockOrganization(tx: Prisma.TransactionClient, organizationId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${organizationId}))`;
}

/**
 * A person's membership, locked until the transaction ends: `share` for changes made by that
 * person's keys, exclusive for changes to the membership itself (removal, role change), so
 * removing someone waits for their in-flight writes and their later writes find them gone.
 */
export async function lockMembership(
  tx: Prisma.TransactionClient,
  organizationId: string,
  userId: string,
  mode: "share" | "update",
): Promise<{ id: string; role: Role } | null> {
  const lock = Prisma.raw(mode === "share" ? "FOR SHARE" : "FOR UPDATE");
  const rows = await tx.$queryRaw<{ id: string; role: Role }[]>`
    SELECT "id", "role"::text AS "role" FROM "Membership"
    WHERE "organizationId" = ${organizationId} AND "userId" = ${userId} ${lock}`;
  return rows[0] ?? null;
}

/**
 * The principal was resolved when the request arrived (a key from the cache); a personal key's
 * owner, or a session's person, may have been removed or demoted since. Inside the change the owner's membership is locked and
 * re-read, and the permissions only ever narrow to what the role allows now.
 */
async function currentCaller(tx: Prisma.TransactionClient, principal: Principal): Promise<Principal> {
  if (!principal.userId) return principal;
  const membership = await lockMembership(tx, principal.organizationId, principal.userId, "share");
  // A personal key (or a session) never outlives its person's place in the organization.
  if (!membership) throw principal.sessionId ? sessionEnded() : authFailure("API_KEY_REVOKED");
  if (membership.role === principal.role) return principal;
  const allowed = scopesOfRole(membership.role);
  return {
    ...principal,
    role: membership.role,
    scopes: new Set([...principal.scopes].filter((s) => allowed.has(s))),
    organizationWide: membership.role === "ADMIN",
  };
}

/** A deadlock or serialization failure between two transactions: nothing was written, so retry. */
function isConflict(error: unknown): boolean {
  const text = `${(error as { code?: unknown })?.code ?? ""} ${(error as Error)?.message ?? ""}`;
  return /\bP2034\b|\b40P01\b|\b40001\b|deadlock detected|could not serialize/i.test(text);
}

import { recordAudit, type PlatformActor } from "./audit.ts";
import { validName } from "./apiKeys.ts";
import type { KeylessStep } from "./change.ts";
import { generateKey } from "../auth/key.ts";
import { platformScopes, type PlatformScope } from "../auth/platformScopes.ts";
import { forbidden, notFound } from "../errors.ts";
import type { ApiKey } from "../generated/prisma/client.ts";

export interface NewPlatformKeyInput {
  name: string;
  /** @default every platform scope */
  scopes?: readonly PlatformScope[] | null;
}

/**
 * The scopes a new platform key gets: those asked for (all three when none are named), never one
 * the creating platform key lacks (`holder`; `null` on Keyward's own machine, which may grant all).
 */
function grantablePlatformScopes(requested: readonly PlatformScope[] | null | undefined, holder: ReadonlySet<PlatformScope> | null): PlatformScope[] {
  const scopes = [...new Set(requested ?? platformScopes)];
  const beyond = holder ? scopes.filter((s) => !holder.has(s)) : [];
  if (beyond.length > 0) throw forbidden(`The calling key may not grant ${beyond.join(", ")}.`);
  return scopes;
}

/** A platform key (no organization) and its platform-level audit event; `secret` is the full key, shown once. */
export async function issuePlatformKey(
  { tx, touch }: Pick<KeylessStep, "tx" | "touch">,
  actor: PlatformActor,
  input: NewPlatformKeyInput,
  holder: ReadonlySet<PlatformScope> | null,
): Promise<{ platformKey: ApiKey; secret: string }> {
  const name = validName(input.name);
  const scopes = grantablePlatformScopes(input.scopes, holder);
  const generated = generateKey("live");
  const platformKey = await tx.apiKey.create({
    data: {
      id: generated.id,
      organizationId: null,
      kind: "PLATFORM",
      ownerId: null,
      name,
      environment: "LIVE",
      scopes,
      secretHash: generated.secretHash,
      lastFour: generated.lastFour,
      createdByKeyId: actor.keyId,
    },
  });
  await recordAudit(tx, actor, { action: "PLATFORM_KEY_CREATED", targetType: "ApiKey", targetId: platformKey.id, metadata: { name, scopes } });
  // An instance that cached the id as unknown must not go on refusing it.
  touch({ keyIds: [platformKey.id] });
  return { platformKey, secret: generated.key };
}

/** Revokes a platform key (permanent; refused on every instance from the next request); NOT_FOUND for any other id. */
export async function revokePlatformKey(
  { tx, touch }: Pick<KeylessStep, "tx" | "touch">,
  actor: PlatformActor,
  id: string,
): Promise<ApiKey> {
  const locked = await tx.$queryRaw<{ status: string }[]>`
    SELECT "status"::text AS "status" FROM "ApiKey" WHERE "id" = ${id} AND "kind" = 'PLATFORM' FOR UPDATE`;
  if (locked.length === 0) throw notFound("Platform key");
  if (locked[0]!.status === "REVOKED") return tx.apiKey.findUniqueOrThrow({ where: { id } });
  touch({ keyIds: [id] });
  const platformKey = await tx.apiKey.update({ where: { id }, data: { status: "REVOKED" } });
  await recordAudit(tx, actor, { action: "PLATFORM_KEY_REVOKED", targetType: "ApiKey", targetId: id, metadata: { name: platformKey.name } });
  return platformKey;
}

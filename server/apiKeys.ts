import type { Actor } from "./audit.ts";
import { recordAudit } from "./audit.ts";
import { containsSecret, generateKey } from "./auth/key.ts";
import type { Scope } from "./auth/scopes.ts";
import { badInput } from "./errors.ts";
import type { ApiKey, ApiKeyEnvironment, ApiKeyKind, Prisma } from "./generated/prisma/client.ts";

export const NAME_MAX = 100;
export const MAX_EXPIRY_DAYS = 3650;
export const MAX_GRACE_SECONDS = 7 * 24 * 3600;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function validName(raw: string, field = "name"): string {
  const name = raw.trim();
  if (name.length === 0) throw badInput(`${field} must not be empty.`, field);
  if (name.length > NAME_MAX) throw badInput(`${field} must be at most ${NAME_MAX} characters.`, field);
  if (CONTROL.test(name)) throw badInput(`${field} must not contain control characters.`, field);
  if (containsSecret(name)) throw badInput(`${field} must not contain an API key or invitation code.`, field);
  return name;
}

export function validExpiry(expiresAt: Date | null | undefined, now = new Date()): Date | null {
  if (expiresAt == null) return null;
  if (Number.isNaN(expiresAt.getTime())) throw badInput("expiresAt is not a valid date.", "expiresAt");
  if (expiresAt <= now) throw badInput("expiresAt must be in the future.", "expiresAt");
  if (expiresAt.getTime() - now.getTime() > MAX_EXPIRY_DAYS * 86_400_000) {
    throw badInput(`expiresAt must be within ${MAX_EXPIRY_DAYS} days.`, "expiresAt");
  }
  return expiresAt;
}

export interface IssueKeyInput {
  kind: ApiKeyKind;
  ownerId: string | null;
  name: string;
  environment: ApiKeyEnvironment;
  scopes: readonly Scope[];
  expiresAt: Date | null;
}

/** Creates a key and its audit event in `tx`; the returned `secret` is the full key, shown once. */
export async function issueKey(
  tx: Prisma.TransactionClient,
  actor: Actor,
  input: IssueKeyInput,
  action: "API_KEY_CREATED" | "AGENT_CONNECTED" = "API_KEY_CREATED",
): Promise<{ apiKey: ApiKey; secret: string }> {
  const generated = generateKey(input.environment === "LIVE" ? "live" : "test");
  const apiKey = await tx.apiKey.create({
    data: {
      id: generated.id,
      organizationId: actor.organizationId,
      kind: input.kind,
      ownerId: input.ownerId,
      name: input.name,
      environment: input.environment,
      scopes: [...input.scopes],
      expiresAt: input.expiresAt,
      secretHash: generated.secretHash,
      lastFour: generated.lastFour,
      createdById: actor.userId,
      createdByKeyId: actor.keyId,
    },
  });
  await recordAudit(tx, actor, {
    action,
    targetType: "ApiKey",
    targetId: apiKey.id,
    metadata: { name: apiKey.name, kind: apiKey.kind, environment: apiKey.environment, scopes: apiKey.scopes },
  });
  return { apiKey, secret: generated.key };
}

/** A new secret for an existing key; the old one keeps working for `graceSeconds`. */
export async function rotateKey(
  tx: Prisma.TransactionClient,
  actor: Actor,
  key: ApiKey,
  graceSeconds: number,
  now = new Date(),
): Promise<{ apiKey: ApiKey; secret: string }> {
  const generated = generateKey(key.environment === "LIVE" ? "live" : "test", key.id);
  const apiKey = await tx.apiKey.update({
    where: { id: key.id },
    data: {
      secretHash: generated.secretHash,
      lastFour: generated.lastFour,
      previousSecretHash: graceSeconds > 0 ? key.secretHash : null,
      previousSecretExpiresAt: graceSeconds > 0 ? new Date(now.getTime() + graceSeconds * 1000) : null,
    },
  });
  await recordAudit(tx, actor, {
    action: "API_KEY_ROTATED",
    targetType: "ApiKey",
    targetId: key.id,
    metadata: { name: key.name, gracePeriodSeconds: graceSeconds },
  });
  return { apiKey, secret: generated.key };
}

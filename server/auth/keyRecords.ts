import type { ApiKeyEnvironment, ApiKeyKind, ApiKeyStatus, Role } from "../generated/prisma/client.ts";
import type { Database } from "../db.ts";
import { compileAllowlist } from "../domain/ipRanges.ts";
import { digestBytes } from "./key.ts";
import type { KeyLimitsOfRecord, KeyRecord, KeyTenant } from "./principal.ts";

/** A `timestamp(3)` column (UTC, as Prisma writes it) as ISO 8601 text. */
const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * One round trip: the key, its owner's role in the key's organization, and what a platform
 * verifying it is told (organization, owner, metadata), so a warm verification reads nothing.
 * The columns are read by position: `KeyRowValues` follows this list. Timestamps and JSON come
 * as text (see `ByKeyId`).
 */
const KEY_RECORD = `
  SELECT k."id", k."name", k."kind"::text, k."environment"::text, k."organizationId", k."ownerId",
         k."scopes", COALESCE(k."permissions", ARRAY[]::text[]), k."status"::text,
         k."secretHash", k."previousSecretHash",
         to_char(k."previousSecretExpiresAt", ${ISO}), to_char(k."expiresAt", ${ISO}),
         m."role"::text, k."metadata"::text,
         k."allowedIps", k."rateLimit", k."rateLimitWindowSeconds", k."creditsRemaining" IS NOT NULL,
         o."name", o."externalId", o."metadata"::text,
         u."email", u."externalId"
  FROM "ApiKey" k
  LEFT JOIN "Membership" m ON m."userId" = k."ownerId" AND m."organizationId" = k."organizationId"
  LEFT JOIN "Organization" o ON o."id" = k."organizationId"
  LEFT JOIN "User" u ON u."id" = k."ownerId" AND k."kind" = 'PERSONAL'
  WHERE k."id" = $1`;

/** As both databases answer them: timestamps as ISO text, JSON as its text, arrays parsed. */
type KeyRowValues = [
  id: string,
  name: string,
  kind: ApiKeyKind,
  environment: ApiKeyEnvironment,
  organizationId: string | null,
  ownerId: string | null,
  scopes: string[],
  permissions: string[],
  status: ApiKeyStatus,
  secretHash: string,
  previousSecretHash: string | null,
  previousSecretExpiresAt: string | null,
  expiresAt: string | null,
  ownerRole: Role | null,
  metadata: string | null,
  allowedIps: string[] | null,
  rateLimit: number | null,
  rateLimitWindowSeconds: number | null,
  hasCredits: boolean,
  organizationName: string | null,
  organizationExternalId: string | null,
  organizationMetadata: string | null,
  ownerEmail: string | null,
  ownerExternalId: string | null,
];

/** Reads a key's record by its id; `null` when there is no such key. */
export type KeyRecords = (keyId: string) => Promise<KeyRecord | null>;

/**
 * The read behind every cold verification, without Prisma Client (`Database.byKeyId`): fewer
 * allocations, so fewer young-generation collections, each of which holds a verification for
 * 2–5 ms on these machines; and planned once, on PGlite too (`npm run bench` reports the cold
 * verification and its tail).
 */
export function keyRecords(db: Pick<Database, "byKeyId">): KeyRecords {
  const read = db.byKeyId(KEY_RECORD);
  return async (keyId) => {
    const [row] = (await read(keyId)) as KeyRowValues[];
    return row ? keyRecord(row) : null;
  };
}

function keyRecord(row: KeyRowValues): KeyRecord {
  const [
    id,
    name,
    kind,
    environment,
    organizationId,
    ownerId,
    scopes,
    permissions,
    status,
    secretHash,
    previousSecretHash,
    previousSecretExpiresAt,
    expiresAt,
    ownerRole,
    metadata,
    allowedIps,
    rateLimit,
    rateLimitWindowSeconds,
    hasCredits,
    organizationName,
    organizationExternalId,
    organizationMetadata,
    ownerEmail,
    ownerExternalId,
  ] = row;
  const limits: KeyLimitsOfRecord = {
    allowlist: allowedIps && allowedIps.length > 0 ? compileAllowlist(allowedIps) : null,
    rateLimit: rateLimit !== null && rateLimitWindowSeconds !== null ? { limit: rateLimit, windowSeconds: rateLimitWindowSeconds } : null,
    credits: hasCredits,
  };
  const tenant: KeyTenant | null =
    organizationId === null || organizationName === null
      ? null
      : {
          organization: { id: organizationId, name: organizationName, externalId: organizationExternalId, metadata: json(organizationMetadata) },
          owner: ownerId !== null && ownerEmail !== null ? { id: ownerId, email: ownerEmail, externalId: ownerExternalId } : null,
          metadata: json(metadata),
        };
  return {
    id,
    name,
    kind,
    environment,
    organizationId,
    ownerId,
    ownerRole,
    scopes,
    permissions,
    status,
    tenant,
    limits: limits.allowlist || limits.rateLimit || limits.credits ? limits : null,
    secretHash: digestBytes(secretHash),
    previousSecretHash: previousSecretHash === null ? null : digestBytes(previousSecretHash),
    previousSecretExpiresAt: time(previousSecretExpiresAt),
    expiresAt: time(expiresAt),
  };
}

const json = (text: string | null): unknown => (text === null ? null : JSON.parse(text));
const time = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

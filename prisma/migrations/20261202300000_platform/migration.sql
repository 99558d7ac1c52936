-- The platform plane: keys of no organization (kind PLATFORM), the product's own ids and metadata
-- on organizations, people and keys, and audit events of no organization (platform-level).
ALTER TYPE "ApiKeyKind" ADD VALUE 'PLATFORM';
ALTER TYPE "AuditAction" ADD VALUE 'PLATFORM_KEY_CREATED';
ALTER TYPE "AuditAction" ADD VALUE 'PLATFORM_KEY_REVOKED';
ALTER TYPE "AuditAction" ADD VALUE 'ORGANIZATION_UPDATED';
ALTER TYPE "AuditAction" ADD VALUE 'ORGANIZATION_DELETED';
ALTER TYPE "AuditAction" ADD VALUE 'MEMBER_ADDED';

ALTER TABLE "Organization" ADD COLUMN "externalId" TEXT;
ALTER TABLE "Organization" ADD COLUMN "metadata" JSONB;
CREATE UNIQUE INDEX "Organization_externalId_key" ON "Organization"("externalId");

ALTER TABLE "User" ADD COLUMN "externalId" TEXT;
CREATE UNIQUE INDEX "User_externalId_key" ON "User"("externalId");

ALTER TABLE "ApiKey" ADD COLUMN "metadata" JSONB;
ALTER TABLE "ApiKey" ALTER COLUMN "organizationId" DROP NOT NULL;
-- A platform key belongs to no organization, every other key to exactly one. Compared as text:
-- the enum value added above cannot be used as such in the transaction that adds it.
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_platform_has_no_organization"
  CHECK (("kind"::text = 'PLATFORM') = ("organizationId" IS NULL));

-- Platform-level events (platform keys, an organization's deletion) have no organization; the
-- deletion's event names the organization in "targetId", so it outlives the cascade.
ALTER TABLE "AuditEvent" ALTER COLUMN "organizationId" DROP NOT NULL;
CREATE INDEX "AuditEvent_platform_idx" ON "AuditEvent"("id" DESC) WHERE "organizationId" IS NULL;

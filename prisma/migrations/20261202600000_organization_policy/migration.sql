-- Organization key policies (updateOrganizationPolicy): expiry rules for new and rotated keys, the
-- dormant-key sweep, and the default IP allowlist of new keys.
ALTER TYPE "AuditAction" ADD VALUE 'ORGANIZATION_POLICY_UPDATED';

ALTER TABLE "Organization" ADD COLUMN "maxKeyLifetimeDays" INTEGER;
ALTER TABLE "Organization" ADD COLUMN "requireExpiry" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Organization" ADD COLUMN "disableUnusedAfterDays" INTEGER;
ALTER TABLE "Organization" ADD COLUMN "defaultAllowedIps" TEXT[] DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "Organization" ADD CONSTRAINT "Organization_maxKeyLifetimeDays_range"
  CHECK ("maxKeyLifetimeDays" BETWEEN 1 AND 3650);
ALTER TABLE "Organization" ADD CONSTRAINT "Organization_disableUnusedAfterDays_range"
  CHECK ("disableUnusedAfterDays" BETWEEN 1 AND 3650);

-- The dormancy clock restarts when an admin enables a key again (so the sweep does not disable
-- it again at once): the later of lastUsedAt, createdAt and this.
ALTER TABLE "ApiKey" ADD COLUMN "enabledAt" TIMESTAMP(3);

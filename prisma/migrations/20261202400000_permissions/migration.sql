-- The product's own permissions: a catalogue of names (for every organization, or for one), the
-- names a key carries, and organizations made by a platform, whose new keys get no Keyward scope
-- unless asked for.
ALTER TYPE "AuditAction" ADD VALUE 'PERMISSION_CATALOG_SET';

ALTER TABLE "Organization" ADD COLUMN "createdByPlatform" BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE "ApiKey" ADD COLUMN "permissions" TEXT[] DEFAULT ARRAY[]::TEXT[];

CREATE TABLE "PermissionDefinition" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PermissionDefinition_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "PermissionDefinition_organizationId_name_key" ON "PermissionDefinition"("organizationId", "name");
-- NULLs are distinct in the index above: the catalogue for every organization gets its own.
CREATE UNIQUE INDEX "PermissionDefinition_global_name_key" ON "PermissionDefinition"("name") WHERE "organizationId" IS NULL;

ALTER TABLE "PermissionDefinition" ADD CONSTRAINT "PermissionDefinition_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

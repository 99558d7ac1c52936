-- The key page inside a product: createConsoleSession's one-time link carries the product's
-- return URL into the console session it starts, and its bearer token for the embedded element
-- (only its SHA-256 is stored) acts as one member, from one origin, until it expires.
ALTER TYPE "AuditAction" ADD VALUE 'CONSOLE_SESSION_CREATED';

ALTER TABLE "SignInLink" ADD COLUMN "returnUrl" TEXT;
ALTER TABLE "Session" ADD COLUMN "returnUrl" TEXT;

CREATE TABLE "EmbeddedSession" (
    "id" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "allowedOrigin" TEXT NOT NULL,
    "createdByKeyId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "EmbeddedSession_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "EmbeddedSession_tokenHash_key" ON "EmbeddedSession"("tokenHash");
CREATE INDEX "EmbeddedSession_userId_idx" ON "EmbeddedSession"("userId");
ALTER TABLE "EmbeddedSession" ADD CONSTRAINT "EmbeddedSession_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "EmbeddedSession" ADD CONSTRAINT "EmbeddedSession_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Key policies: an IP allowlist, a rate limit and usage credits on each key (all optional), and
-- the table rate-limiter-flexible's PostgreSQL store counts per-key rate limits in, shared by
-- every instance.
ALTER TYPE "AuditAction" ADD VALUE 'API_KEY_UPDATED';

CREATE TYPE "CreditRefillInterval" AS ENUM ('DAILY', 'MONTHLY');

-- An empty allowlist is no allowlist. Each limit is either wholly set or wholly absent.
ALTER TABLE "ApiKey" ADD COLUMN "allowedIps" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "ApiKey" ADD COLUMN "rateLimit" INTEGER;
ALTER TABLE "ApiKey" ADD COLUMN "rateLimitWindowSeconds" INTEGER;
ALTER TABLE "ApiKey" ADD COLUMN "creditsRemaining" INTEGER;
ALTER TABLE "ApiKey" ADD COLUMN "creditsRefillAmount" INTEGER;
ALTER TABLE "ApiKey" ADD COLUMN "creditsRefillInterval" "CreditRefillInterval";
ALTER TABLE "ApiKey" ADD COLUMN "creditsRefilledAt" TIMESTAMP(3);
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_rate_limit_whole"
  CHECK (("rateLimit" IS NULL) = ("rateLimitWindowSeconds" IS NULL));
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_credits_refill_whole"
  CHECK (("creditsRefillAmount" IS NULL) = ("creditsRefillInterval" IS NULL));
-- Spending is `UPDATE … WHERE "creditsRemaining" >= cost`: never below zero, whatever races.
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_credits_not_negative" CHECK ("creditsRemaining" >= 0);

-- rate-limiter-flexible's RateLimiterPostgres layout (key, points, expire in ms since the epoch).
CREATE TABLE "RateLimiterFlexible" (
    "key" TEXT NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,
    CONSTRAINT "RateLimiterFlexible_pkey" PRIMARY KEY ("key")
);
CREATE INDEX "RateLimiterFlexible_expire_idx" ON "RateLimiterFlexible"("expire");

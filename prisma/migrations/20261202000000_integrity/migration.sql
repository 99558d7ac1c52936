-- Invitations remember the key that issued them, so acceptance can check it may still give the role.
ALTER TABLE "Invitation" ADD COLUMN "createdByKeyId" TEXT;

-- Revocation is permanent, in the database too: whatever the application does, a revoked key's
-- status and secrets never change again (defence in depth behind the locked transitions).
CREATE FUNCTION "keyward_revoked_is_terminal"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."status" = 'REVOKED' AND (
       NEW."status" IS DISTINCT FROM OLD."status"
    OR NEW."secretHash" IS DISTINCT FROM OLD."secretHash"
    OR NEW."previousSecretHash" IS DISTINCT FROM OLD."previousSecretHash"
    OR NEW."previousSecretExpiresAt" IS DISTINCT FROM OLD."previousSecretExpiresAt"
  ) THEN
    RAISE EXCEPTION 'API key % is revoked; revocation is permanent', OLD."id" USING ERRCODE = 'KW001';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "ApiKey_revoked_is_terminal"
  BEFORE UPDATE ON "ApiKey"
  FOR EACH ROW EXECUTE FUNCTION "keyward_revoked_is_terminal"();

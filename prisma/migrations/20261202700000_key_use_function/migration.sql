-- Uses of one key by verifyApiKey (and by requests to Keyward's own API) on PostgreSQL, in ONE
-- statement however many uses an instance has queued for that key: counts them in the key's
-- rate-limit window, then spends their credits in order, each only if within the limit and
-- covered by what is left. One round trip and one commit per batch, exact across instances
-- (the window row's upsert and the key row's FOR UPDATE serialize concurrent batches).
--
-- The window row is rate-limiter-flexible's (RateLimiterPostgres: key, points, expire in ms): a
-- fixed window starting at the first use after the previous one ended, so the library's `get`
-- reads what this counts.
CREATE FUNCTION "keyward_use_key"(
    p_key_id TEXT,
    p_window_key TEXT,          -- NULL: the key has no rate limit
    p_limit INTEGER,
    p_window_ms BIGINT,
    p_now BIGINT,               -- ms since the epoch
    p_now_ts TIMESTAMP(3),      -- the same instant, as stored (UTC)
    p_day_start TIMESTAMP(3),   -- start of the current UTC day
    p_month_start TIMESTAMP(3), -- start of the current UTC month
    p_spend BOOLEAN,            -- spend credits (FALSE: only count)
    p_costs INTEGER[]           -- one per use, in order
) RETURNS TABLE ("allowed" BOOLEAN, "windowCount" INTEGER, "windowEnds" BIGINT, "spent" BOOLEAN, "balance" INTEGER)
LANGUAGE plpgsql AS $$
DECLARE
    n INTEGER := cardinality(p_costs);
    v_points INTEGER;
    v_ends BIGINT;
    v_before INTEGER := 0;
    v_start INTEGER;
    v_left INTEGER;
    v_amount INTEGER;
    v_interval TEXT;
    v_refilled TIMESTAMP(3);
    v_due BOOLEAN := FALSE;
BEGIN
    IF p_window_key IS NOT NULL THEN
        INSERT INTO "RateLimiterFlexible" AS r ("key", "points", "expire") VALUES (p_window_key, n, p_now + p_window_ms)
        ON CONFLICT ("key") DO UPDATE SET
            "points" = CASE WHEN r."expire" <= p_now THEN n ELSE r."points" + n END,
            "expire" = CASE WHEN r."expire" <= p_now THEN EXCLUDED."expire" ELSE r."expire" END
        RETURNING r."points", r."expire" INTO v_points, v_ends;
        v_before := v_points - n;
    END IF;
    IF p_spend THEN
        SELECT k."creditsRemaining", k."creditsRefillAmount", k."creditsRefillInterval"::text, k."creditsRefilledAt"
            INTO v_start, v_amount, v_interval, v_refilled
            FROM "ApiKey" k WHERE k."id" = p_key_id FOR UPDATE;
        IF v_start IS NOT NULL AND v_interval IS NOT NULL
           AND (v_refilled IS NULL OR v_refilled < CASE v_interval WHEN 'DAILY' THEN p_day_start ELSE p_month_start END) THEN
            v_start := v_amount;
            v_due := TRUE;
        END IF;
    END IF;
    v_left := v_start;
    FOR i IN 1..n LOOP
        "allowed" := p_window_key IS NULL OR v_before + i <= p_limit;
        "windowCount" := CASE WHEN p_window_key IS NULL THEN NULL ELSE v_before + i END;
        "windowEnds" := v_ends;
        "spent" := NULL;
        IF v_left IS NOT NULL THEN
            "spent" := "allowed" AND v_left >= p_costs[i];
            IF "spent" THEN
                v_left := v_left - p_costs[i];
            END IF;
        END IF;
        "balance" := v_left;
        RETURN NEXT;
    END LOOP;
    IF v_left IS NOT NULL AND (v_left <> v_start OR v_due) THEN
        UPDATE "ApiKey" SET "creditsRemaining" = v_left,
                            "creditsRefilledAt" = CASE WHEN v_due THEN p_now_ts ELSE "creditsRefilledAt" END
        WHERE "id" = p_key_id;
    END IF;
END
$$;

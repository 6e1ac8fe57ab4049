-- One round trip instead of two for a command with an Idempotency-Key: wait for the key's
-- advisory lock (concurrent retries of one key queue here), then read the response stored
-- for it. The read is a separate statement inside a VOLATILE function, so under READ
-- COMMITTED it takes its snapshot after the lock is granted and sees a retry that committed
-- while this one waited. The lock key is the one run_command took before (same hashtext).
CREATE OR REPLACE FUNCTION idempotency_claim(p_principal text, p_key text)
RETURNS TABLE (request_hash text, status integer, body jsonb)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('idem:' || p_principal || ':' || p_key));
    RETURN QUERY SELECT k.request_hash, k.status, k.body FROM idempotency_keys AS k
                 WHERE k.principal = p_principal AND k.key = p_key;
END
$$;

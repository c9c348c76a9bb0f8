-- The data version: bumped by every write (each goes through perfwatch.store and appends audit rows).
-- Params: none. Returns (last_audit_id, audit_rows).
SELECT coalesce(max(id), 0) AS last_audit_id, count(*) AS audit_rows FROM audit_log;

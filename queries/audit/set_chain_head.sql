-- Record the newest sealed audit row (hash, count, id). Params: $value (JSON text).
-- test-params: {"value": "{\"hash\": \"0\", \"count\": 0, \"last_id\": 0}"}
INSERT INTO settings (key, value, updated_by) VALUES ('audit_chain_head', $value, 'system')
ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now();

-- Audit rows not yet chained, oldest first, with the fields the hash covers. No params.
-- Returns (id, changed_at, actor, action, entity, entity_id, old_value, new_value) with JSON as text.
SELECT id, changed_at, actor, action, entity, entity_id, old_value::VARCHAR, new_value::VARCHAR
FROM audit_log WHERE row_hash IS NULL ORDER BY id;

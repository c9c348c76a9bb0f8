-- Every audit row with its chain fields, oldest first. No params.
-- Returns (id, changed_at, actor, action, entity, entity_id, old_value, new_value, prev_hash, row_hash).
SELECT id, changed_at, actor, action, entity, entity_id, old_value::VARCHAR, new_value::VARCHAR, prev_hash, row_hash
FROM audit_log ORDER BY id;

-- Append one audit row. Params: $actor, $action, $entity, $entity_id, $old_value, $new_value (JSON text or NULL).
INSERT INTO audit_log (actor, action, entity, entity_id, old_value, new_value)
VALUES ($actor, $action, $entity, $entity_id, $old_value::JSON, $new_value::JSON);

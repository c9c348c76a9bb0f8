-- Audit rows for the 操作日志 page, newest first, filtered (NULL filter = any).
-- Params: $actor, $action, $entity, $date_from, $date_to (DATE, inclusive), $limit.
-- Returns (id, changed_at, actor, action, entity, entity_id, old_value, new_value).
SELECT id, changed_at, actor, action, entity, entity_id, old_value::VARCHAR AS old_value,
       new_value::VARCHAR AS new_value
FROM audit_log
WHERE ($actor IS NULL OR actor = $actor)
  AND ($action IS NULL OR action = $action)
  AND ($entity IS NULL OR entity = $entity)
  AND ($date_from IS NULL OR changed_at >= CAST($date_from AS DATE))
  AND ($date_to IS NULL OR changed_at < CAST($date_to AS DATE) + INTERVAL 1 DAY)
ORDER BY id DESC
LIMIT $limit;

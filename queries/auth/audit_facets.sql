-- Distinct values for the 操作日志 filters. No params. Returns (kind, value): kind in actor/action/entity.
SELECT DISTINCT 'actor' AS kind, actor AS value FROM audit_log
UNION ALL SELECT DISTINCT 'action', action FROM audit_log
UNION ALL SELECT DISTINCT 'entity', entity FROM audit_log
ORDER BY kind, value;

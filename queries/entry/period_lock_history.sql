-- Every lock/unlock of a department, newest first.
-- Params: $department_id. Returns (id, period, locked, changed_by, changed_at, note).
SELECT id, period, locked, changed_by, changed_at, note
FROM period_locks WHERE department_id = $department_id
ORDER BY id DESC;

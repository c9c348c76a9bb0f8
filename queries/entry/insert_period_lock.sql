-- Append a lock state. Params: $department_id, $period, $locked, $changed_by, $note. Returns (id).
INSERT INTO period_locks (department_id, period, locked, changed_by, note)
VALUES ($department_id, $period, $locked, $changed_by, $note)
RETURNING id;

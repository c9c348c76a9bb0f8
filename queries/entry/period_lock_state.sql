-- The current lock row of one month of a department. Params: $department_id, $period.
-- Returns (locked, changed_by, changed_at) or nothing (= open).
SELECT locked, changed_by, changed_at
FROM period_locks
WHERE department_id = $department_id AND period = $period
ORDER BY id DESC
LIMIT 1;

-- Current lock state per month of a department (months never locked are absent).
-- Params: $department_id. Returns (period, locked, changed_by, changed_at).
SELECT period, locked, changed_by, changed_at
FROM (
    SELECT *, row_number() OVER (PARTITION BY period ORDER BY id DESC) AS rn
    FROM period_locks WHERE department_id = $department_id
) t
WHERE rn = 1
ORDER BY period;

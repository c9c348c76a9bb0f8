-- Current spend (万元) per project and month of a department-year: the latest row per key.
-- Params: $department_id. Returns (project_id, period, id, amount, entered_by, entered_at).
SELECT project_id, period, id, amount, entered_by, entered_at
FROM (
    SELECT s.*, row_number() OVER (PARTITION BY s.project_id, s.period ORDER BY s.id DESC) AS rn
    FROM spend_entries s
    JOIN projects p ON p.id = s.project_id
    WHERE p.department_id = $department_id
) t
WHERE rn = 1
ORDER BY project_id, period;

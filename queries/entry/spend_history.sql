-- Every spend row of a department-year, newest first, with the value it replaced.
-- Params: $department_id. Returns (id, project_id, code, name, period, amount, previous,
-- source, note, entered_by, entered_at, is_current).
SELECT s.id, s.project_id, p.code, p.name, s.period, s.amount,
       lag(s.amount) OVER (PARTITION BY s.project_id, s.period ORDER BY s.id) AS previous,
       s.source, s.note, s.entered_by, s.entered_at,
       s.id = max(s.id) OVER (PARTITION BY s.project_id, s.period) AS is_current
FROM spend_entries s
JOIN projects p ON p.id = s.project_id
WHERE p.department_id = $department_id
ORDER BY s.id DESC;

-- Plan checkpoints of a department-year's projects. Params: $department_id.
-- Returns (project_id, month, pct).
SELECT c.project_id, c.month, c.pct
FROM plan_checkpoints c JOIN projects p ON p.id = c.project_id
WHERE p.department_id = $department_id ORDER BY c.project_id, c.month;

-- Plan checkpoints of every live project of a department-year, for the department's plan curve.
-- Params: $department_id. Returns (project_id, budget, month, pct) ordered by project and month;
-- a project without checkpoints has one row with month and pct NULL.
SELECT p.id AS project_id, p.budget::DOUBLE AS budget, c.month, c.pct::DOUBLE AS pct
FROM projects p
LEFT JOIN plan_checkpoints c ON c.project_id = p.id
WHERE p.department_id = $department_id AND NOT p.retired
ORDER BY p.id, c.month;

-- The project (NULL for department-level indicators) and department of an indicator.
-- Params: $indicator_id. Returns (project_id, department_id) or nothing.
SELECT project_id, department_id FROM indicators WHERE id = $indicator_id;

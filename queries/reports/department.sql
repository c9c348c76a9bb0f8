-- One department-year for report headers. Params: $department_id.
-- Returns (id, code, name, fiscal_year, overall_goal).
SELECT id, code, name, fiscal_year, overall_goal
FROM departments
WHERE id = $department_id;

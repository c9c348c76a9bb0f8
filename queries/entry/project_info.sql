-- One project with its department-year. Params: $project_id.
-- Returns (id, department_id, fiscal_year, code, name, budget, retired) or nothing.
SELECT p.id, p.department_id, d.fiscal_year, p.code, p.name, p.budget, p.retired
FROM projects p
JOIN departments d ON d.id = p.department_id
WHERE p.id = $project_id;

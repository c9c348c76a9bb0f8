-- Department-years to export. Params: $department_id (NULL = all).
-- test-params: {"department_id": null}
-- Returns (id, code, name, fiscal_year, overall_goal, safeguards, source).
SELECT id, code, name, fiscal_year, overall_goal, safeguards, source
FROM departments
WHERE $department_id IS NULL OR id = $department_id
ORDER BY fiscal_year, code;

-- Published texts of a department-year. Params: $department_id.
-- Returns (code, name, fiscal_year, overall_goal, safeguards).
SELECT code, name, fiscal_year, overall_goal, safeguards FROM departments WHERE id = $department_id;

-- Project codes and names to assign, newest year first (one row per code). No params.
-- Returns (code, name, fiscal_year, department).
SELECT p.code, arg_max(p.name, d.fiscal_year) AS name, max(d.fiscal_year) AS fiscal_year,
       arg_max(d.name, d.fiscal_year) AS department
FROM projects p JOIN departments d ON d.id = p.department_id
WHERE NOT p.retired
GROUP BY p.code
ORDER BY department, p.code;

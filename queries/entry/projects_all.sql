-- Every project with its department-year, for resolving 项目编码 in imported files.
-- No params. Returns (id, department_id, fiscal_year, code, name, budget, retired).
SELECT p.id, p.department_id, d.fiscal_year, p.code, p.name, p.budget, p.retired
FROM projects p
JOIN departments d ON d.id = p.department_id
ORDER BY d.fiscal_year, p.department_id, p.seq, p.id;

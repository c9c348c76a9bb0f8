-- Department-years with their project count and total budget (万元), newest year first.
-- No params. Returns (id, code, name, fiscal_year, projects, budget, indicators).
SELECT d.id, d.code, d.name, d.fiscal_year,
       count(DISTINCT p.id) FILTER (WHERE NOT p.retired) AS projects,
       coalesce(sum(p.budget) FILTER (WHERE NOT p.retired), 0) AS budget,
       (SELECT count(*) FROM indicators i WHERE i.department_id = d.id AND NOT i.retired) AS indicators
FROM departments d
LEFT JOIN projects p ON p.department_id = d.id
GROUP BY d.id, d.code, d.name, d.fiscal_year
ORDER BY d.fiscal_year DESC, d.code;

-- Every indicator with its project (NULL for department-level ones) and department-year, for
-- resolving imported result rows and for validation; or only those of one department.
-- Params: $department_id (NULL = every department). Returns (id, department_id, fiscal_year, project_id, project_code, project_name,
-- level1, level2, level3, target_text, comparator, value, unit, deadline, kind, retired, seq, nature).
SELECT i.id, i.department_id, d.fiscal_year, i.project_id, p.code AS project_code,
       p.name AS project_name, i.level1, i.level2, i.level3, i.target_text, i.comparator,
       i.value, i.unit, i.deadline, i.kind, i.retired OR coalesce(p.retired, false) AS retired, i.seq,
       i.nature
FROM indicators i
JOIN departments d ON d.id = i.department_id
LEFT JOIN projects p ON p.id = i.project_id
WHERE $department_id IS NULL OR i.department_id = $department_id
ORDER BY d.fiscal_year, i.department_id, p.seq NULLS FIRST, i.sub_goal_id, i.seq, i.id;

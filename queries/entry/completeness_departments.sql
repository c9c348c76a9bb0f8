-- The departments in scope of a 填报情况 read (one department with $department_id, or every
-- department of $fiscal_year; NULL = no filter) with the number of their active department-level
-- indicators (those outside any project count towards the department's total).
-- Params: $department_id (or NULL), $fiscal_year (or NULL).
-- Returns (department_id, department_indicators).
SELECT d.id AS department_id,
       (SELECT count(*) FROM indicators i
         WHERE i.department_id = d.id AND i.project_id IS NULL AND NOT i.retired) AS department_indicators
FROM departments d
WHERE ($department_id IS NULL OR d.id = $department_id)
  AND ($fiscal_year IS NULL OR d.fiscal_year = $fiscal_year)
ORDER BY d.id;

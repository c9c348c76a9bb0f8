-- Every result row of a department's indicators, newest first.
-- Params: $department_id. Returns (id, indicator_id, project_code, project_name, level3, as_of,
-- value, done_date, rating, likelihood, cause_categories, cause_text, measure, entered_by,
-- entered_at, is_current).
SELECT r.id, r.indicator_id, p.code AS project_code, coalesce(p.name, '部门整体') AS project_name,
       i.level3, r.as_of, r.value, r.done_date, r.rating, r.likelihood, r.cause_categories,
       r.cause_text, r.measure, r.entered_by, r.entered_at,
       r.id = max(r.id) OVER (PARTITION BY r.indicator_id, r.as_of) AS is_current
FROM indicator_results r
JOIN indicators i ON i.id = r.indicator_id
LEFT JOIN projects p ON p.id = i.project_id
WHERE i.department_id = $department_id
ORDER BY r.id DESC;

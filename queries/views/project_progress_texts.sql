-- The latest progress text (年度总体目标执行情况) of every project of a department-year reported
-- up to the as-of date. Params: $department_id, $as_of. Returns (project_id, progress_text, as_of).
SELECT r.project_id, arg_max(r.progress_text, (r.as_of, r.id)) AS progress_text, max(r.as_of) AS as_of
FROM project_reports r
JOIN projects p ON p.id = r.project_id
WHERE p.department_id = $department_id AND r.as_of <= $as_of AND r.progress_text IS NOT NULL
GROUP BY r.project_id;

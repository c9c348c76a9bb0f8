-- The 佐证材料 (file names only, not removed) of a department's projects for every round up to
-- $as_of, oldest round first: the forms list each value's files in its 备注.
-- Params: $department_id, $as_of (the reporting round's month end).
-- Returns (project_id, indicator_id, as_of, file_name); indicator_id NULL = the project's declaration.
SELECT a.project_id, a.indicator_id, a.as_of, a.file_name
FROM attachments a
JOIN projects p ON p.id = a.project_id
WHERE p.department_id = $department_id AND a.as_of <= $as_of AND NOT coalesce(a.removed, false)
ORDER BY a.as_of, a.id;

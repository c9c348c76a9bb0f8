-- The current 主管部门 name and code of a department-year (latest row), none when never set.
-- Params: $department_id. Returns (supervisor_name, supervisor_code, changed_by, changed_at).
SELECT supervisor_name, supervisor_code, changed_by, changed_at
FROM department_attributes
WHERE department_id = $department_id
ORDER BY id DESC
LIMIT 1;

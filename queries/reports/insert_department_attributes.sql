-- Append a new 主管部门 name/code row for a department (the latest row is current).
-- Params: $department_id, $supervisor_name, $supervisor_code, $changed_by. Returns (id).
INSERT INTO department_attributes (department_id, supervisor_name, supervisor_code, changed_by)
VALUES ($department_id, $supervisor_name, $supervisor_code, $changed_by)
RETURNING id;

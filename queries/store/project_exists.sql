-- The department of a project, to check a write refers to a real project.
-- Params: $project_id. Returns (department_id, retired) or nothing.
SELECT department_id, retired FROM projects WHERE id = $project_id;

-- Goal lines of a department-year's projects. Params: $department_id. Returns (project_id, seq, text).
SELECT g.project_id, g.seq, g.text
FROM goals g JOIN projects p ON p.id = g.project_id
WHERE p.department_id = $department_id ORDER BY g.project_id, g.seq;

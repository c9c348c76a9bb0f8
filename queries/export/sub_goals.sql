-- Sub-goals of a department-year. Params: $department_id. Returns (id, seq, title, goal).
SELECT id, seq, title, goal FROM sub_goals WHERE department_id = $department_id ORDER BY seq;

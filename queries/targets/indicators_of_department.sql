-- All indicators of a department-year, for matching on re-import.
-- Params: $department_id. Returns (id, project_id, sub_goal_id, seq, level1, level2, level3,
-- description, target_text, comparator, value, unit, deadline, kind, basis, retired, nature).
SELECT id, project_id, sub_goal_id, seq, level1, level2, level3, description, target_text,
       comparator, value, unit, deadline, kind, basis, retired, nature
FROM indicators WHERE department_id = $department_id ORDER BY id;

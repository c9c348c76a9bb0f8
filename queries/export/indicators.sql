-- Active indicators of a department-year with their owner, in published order.
-- Params: $department_id. Returns (project_id, sub_goal_id, level1, level2, level3, description,
-- target_text, comparator, value, unit, deadline, kind, basis, nature, id).
SELECT project_id, sub_goal_id, level1, level2, level3, description, target_text, comparator,
       value, unit, deadline, kind, basis, nature, id
FROM indicators WHERE department_id = $department_id AND NOT retired
ORDER BY project_id NULLS FIRST, sub_goal_id, seq, id;

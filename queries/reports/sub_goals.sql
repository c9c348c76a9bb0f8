-- 分项绩效目标 of a department-year in published order.
-- Params: $department_id. Returns (id, seq, title, goal).
SELECT id, seq, title, goal
FROM sub_goals
WHERE department_id = $department_id
ORDER BY seq, id;

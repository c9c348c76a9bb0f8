-- The department-level part: sub-goals with their indicators (one row per indicator).
-- Params: $department_id. Returns (sub_goal_seq, title, goal, indicator_id, level3, target_text, kind).
SELECT s.seq AS sub_goal_seq, s.title, s.goal, i.id AS indicator_id, i.level3, i.target_text, i.kind
FROM sub_goals s
LEFT JOIN indicators i ON i.sub_goal_id = s.id AND NOT i.retired
WHERE s.department_id = $department_id
ORDER BY s.seq, i.seq;

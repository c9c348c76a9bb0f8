-- Active indicators with the keys demo results are matched on: the project code (NULL for the
-- department-level part), the sub-goal seq (NULL for project indicators), 二级指标 and 三级指标.
-- No params. Returns (id, project_code, sub_goal_seq, level2, level3).
SELECT i.id, p.code AS project_code, s.seq AS sub_goal_seq, i.level2, i.level3
FROM indicators i
LEFT JOIN projects p ON p.id = i.project_id
LEFT JOIN sub_goals s ON s.id = i.sub_goal_id
WHERE NOT i.retired
ORDER BY i.id;

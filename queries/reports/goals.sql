-- 绩效目标 lines of every active project of a department-year, in published order.
-- Params: $department_id. Returns (project_id, seq, text).
SELECT g.project_id, g.seq, g.text
FROM goals g
JOIN projects p ON p.id = g.project_id
WHERE p.department_id = $department_id AND NOT p.retired
ORDER BY p.seq, g.seq;

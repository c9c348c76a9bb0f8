-- The milestones of every indicator of a department-year (cumulative value by the end of month).
-- Params: $department_id. Returns (indicator_id, month, value) by indicator and month.
SELECT m.indicator_id, m.month, m.value
FROM indicator_milestones m
JOIN indicators i ON i.id = m.indicator_id
WHERE i.department_id = $department_id
ORDER BY m.indicator_id, m.month;

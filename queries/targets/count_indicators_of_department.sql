-- The live count indicators of a department-year, projects first in published order, then the
-- department-level ones by sub-goal, for the targets page's nature and milestone editor.
-- Params: $department_id. Returns (id, project_id, owner, seq, level3, target_text, nature), where
-- owner is the project's name or "分项目标 n".
SELECT i.id, i.project_id,
       coalesce(p.name, concat('分项目标 ', s.seq)) AS owner,
       i.seq, i.level3, i.target_text, i.nature
FROM indicators i
LEFT JOIN projects p ON p.id = i.project_id
LEFT JOIN sub_goals s ON s.id = i.sub_goal_id
WHERE i.department_id = $department_id AND i.kind = 'count'
  AND NOT i.retired AND NOT coalesce(p.retired, false)
ORDER BY i.project_id IS NULL, p.seq, s.seq, i.seq, i.id;

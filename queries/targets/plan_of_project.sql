-- Plan checkpoints of a project. Params: $project_id. Returns (month, pct) by month.
SELECT month, pct FROM plan_checkpoints WHERE project_id = $project_id ORDER BY month;

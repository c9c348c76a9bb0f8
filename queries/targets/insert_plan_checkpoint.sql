-- One plan checkpoint. Params: $project_id, $month, $pct.
INSERT INTO plan_checkpoints (project_id, month, pct) VALUES ($project_id, $month, $pct);

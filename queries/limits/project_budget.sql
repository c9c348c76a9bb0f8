-- A project's budget (万元) for the plausibility limits. Params: $project_id. Returns (budget) or nothing.
SELECT budget FROM projects WHERE id = $project_id;

-- Remove a project's plan before writing its new version (old one kept in audit_log). Params: $project_id.
DELETE FROM plan_checkpoints WHERE project_id = $project_id;

-- Remove a project's goal lines before writing the new version (old kept in audit_log). Params: $project_id.
DELETE FROM goals WHERE project_id = $project_id;

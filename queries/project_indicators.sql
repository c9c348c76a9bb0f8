-- Active indicators of a project as published. Params: $project_id.
-- Returns (id, level1, level2, level3, description, target_text, kind, basis).
SELECT id, level1, level2, level3, description, target_text, kind, basis
FROM indicators WHERE project_id = $project_id AND NOT retired ORDER BY seq, id;

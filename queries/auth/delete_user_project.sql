-- Remove one project assignment. Params: $user_id, $project_id.
DELETE FROM user_projects WHERE user_id = $user_id AND project_id = $project_id;

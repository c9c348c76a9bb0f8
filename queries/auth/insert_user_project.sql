-- Assign a project to an account. Params: $user_id, $project_id.
INSERT INTO user_projects (user_id, project_id) VALUES ($user_id, $project_id);

-- Project ids assigned to an account. Params: $user_id. Returns (project_id).
SELECT project_id FROM user_projects WHERE user_id = $user_id ORDER BY project_id;

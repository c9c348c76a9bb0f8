-- Distinct codes of the projects assigned to an account. Params: $user_id. Returns (code).
SELECT DISTINCT p.code FROM user_projects up JOIN projects p ON p.id = up.project_id
WHERE up.user_id = $user_id ORDER BY p.code;

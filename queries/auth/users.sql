-- Every account for the 用户管理 page, with the codes of assigned projects. No params.
-- Returns (id, username, display_name, role, oidc_email, disabled, created_at, project_codes, has_password).
SELECT u.id, u.username, u.display_name, u.role, u.oidc_email, u.disabled, u.created_at,
       coalesce(string_agg(DISTINCT p.code, ',' ORDER BY p.code), '') AS project_codes,
       u.password_hash IS NOT NULL AS has_password
FROM users u
LEFT JOIN user_projects up ON up.user_id = u.id
LEFT JOIN projects p ON p.id = up.project_id
GROUP BY ALL
ORDER BY u.id;

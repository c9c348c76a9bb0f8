-- One account by exact username. Params: $username.
-- Returns (id, username, display_name, role, password_hash, oidc_email, disabled) or nothing.
SELECT id, username, display_name, role, password_hash, oidc_email, disabled
FROM users WHERE username = $username;

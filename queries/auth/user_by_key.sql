-- One account by normalised name (perfwatch.auth.username_key). Params: $key.
-- Returns (id, username, display_name, role, password_hash, oidc_email, disabled) or nothing.
SELECT id, username, display_name, role, password_hash, oidc_email, disabled
FROM users WHERE username_key = $key;

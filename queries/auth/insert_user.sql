-- Create an account; returns its id.
-- Params: $username, $display_name, $role, $password_hash, $oidc_email.
INSERT INTO users (username, display_name, role, password_hash, oidc_email)
VALUES ($username, $display_name, $role, $password_hash, $oidc_email)
RETURNING id;

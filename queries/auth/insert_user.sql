-- Create an account; returns its id.
-- Params: $username, $username_key, $display_name, $role, $password_hash, $oidc_email.
-- test-params: {"role": "leader", "password_hash": null, "oidc_email": null}
INSERT INTO users (username, username_key, display_name, role, password_hash, oidc_email)
VALUES ($username, $username_key, $display_name, $role, $password_hash, $oidc_email)
RETURNING id;

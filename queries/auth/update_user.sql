-- Change an account's role, display name and single-sign-on e-mail.
-- Params: $id, $role, $display_name, $oidc_email.
UPDATE users SET role = $role, display_name = $display_name, oidc_email = $oidc_email WHERE id = $id;

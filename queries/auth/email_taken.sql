-- Other accounts already using a single-sign-on e-mail (case-insensitive).
-- Params: $email, $id (the account being changed; -1 for a new one). Returns (username).
SELECT username FROM users WHERE lower(oidc_email) = lower($email) AND id <> $id;

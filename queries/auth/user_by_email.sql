-- Accounts matching a single-sign-on e-mail (oidc_email first, else the username), case-insensitive.
-- Params: $email. Returns (id, username, disabled), the oidc_email match first.
SELECT id, username, disabled
FROM users
WHERE lower(oidc_email) = lower($email) OR lower(username) = lower($email)
ORDER BY (lower(oidc_email) = lower($email)) DESC NULLS LAST, id;

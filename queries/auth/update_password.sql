-- Replace an account's password hash. Params: $id, $password_hash.
UPDATE users SET password_hash = $password_hash WHERE id = $id;

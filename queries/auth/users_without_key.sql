-- Accounts whose normalised name is not filled yet (before migration 0007), oldest first. No params.
-- Returns (id, username).
SELECT id, username FROM users WHERE username_key IS NULL ORDER BY id;

-- Enabled administrator accounts. No params. Returns (id, username).
SELECT id, username FROM users WHERE role = 'admin' AND NOT disabled ORDER BY id;

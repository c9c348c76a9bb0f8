-- How many accounts exist (enabled or not). No params. Returns (n).
SELECT count(*) FROM users;

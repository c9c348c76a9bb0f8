-- Forget sign-in attempts older than $before (the rate limit only looks back one window).
-- Params: $before.
-- test-params: {"before": "2024-07-30 10:00:00"}
DELETE FROM login_attempts WHERE attempted_at < $before;

-- Record a sign-in attempt. Params: $username, $at, $ok, $outcome.
-- test-params: {"at": "2024-07-31 10:00:00", "ok": false, "outcome": "bad_password"}
INSERT INTO login_attempts (username, attempted_at, ok, outcome) VALUES ($username, $at, $ok, $outcome);

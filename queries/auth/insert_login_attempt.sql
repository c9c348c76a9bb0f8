-- Record a sign-in attempt. Params: $username, $at, $ok, $outcome.
INSERT INTO login_attempts (username, attempted_at, ok, outcome) VALUES ($username, $at, $ok, $outcome);

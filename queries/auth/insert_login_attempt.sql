-- Record a sign-in attempt. Params: $username, $client, $at, $ok, $outcome.
-- test-params: {"at": "2024-07-31 10:00:00", "ok": false, "outcome": "bad_password", "client": null}
INSERT INTO login_attempts (username, client, attempted_at, ok, outcome) VALUES ($username, $client, $at, $ok, $outcome);

-- Fill an account's normalised name. Params: $id, $key.
-- test-params: {"id": 1, "key": "admin"}
UPDATE users SET username_key = $key WHERE id = $id;

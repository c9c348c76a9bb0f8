-- One setting's JSON value as text. Params: $key. Returns (value) or nothing.
SELECT value::VARCHAR FROM settings WHERE key = $key;

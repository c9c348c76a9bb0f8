-- Set a setting. Params: $key, $value (JSON text), $updated_by.
INSERT INTO settings (key, value, updated_by, updated_at)
VALUES ($key, $value::JSON, $updated_by, current_timestamp)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by,
    updated_at = excluded.updated_at;

-- The newest sealed audit row as recorded in the setting audit_chain_head. No params.
-- Returns (last_id, hash, count) or nothing.
SELECT CAST(json_extract(value, '$.last_id') AS BIGINT),
       json_extract_string(value, '$.hash'),
       CAST(json_extract(value, '$.count') AS BIGINT)
FROM settings WHERE key = 'audit_chain_head';

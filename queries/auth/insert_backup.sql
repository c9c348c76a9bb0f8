-- Record a backup. Params: $at, $path, $by, $manifest (JSON text). Returns (id).
-- test-params: {"at": "2024-07-31 10:00:00", "manifest": "{\"tables\": {}}"}
INSERT INTO backups (created_at, path, created_by, manifest) VALUES ($at, $path, $by, $manifest::JSON) RETURNING id;

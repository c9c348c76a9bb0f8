-- Record a backup. Params: $at, $path, $by, $manifest (JSON text). Returns (id).
INSERT INTO backups (created_at, path, created_by, manifest) VALUES ($at, $path, $by, $manifest::JSON) RETURNING id;

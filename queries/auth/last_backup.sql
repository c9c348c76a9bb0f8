-- The most recent backup. No params. Returns (created_at, path, created_by) or nothing.
SELECT created_at, path, created_by FROM backups ORDER BY created_at DESC, id DESC LIMIT 1;

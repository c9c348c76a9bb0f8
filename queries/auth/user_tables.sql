-- Every base table of the main schema, for backups and comparisons. No params. Returns (table_name).
SELECT table_name FROM information_schema.tables
WHERE table_schema = 'main' AND table_type = 'BASE TABLE'
ORDER BY table_name;

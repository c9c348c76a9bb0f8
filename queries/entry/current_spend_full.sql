-- The current (latest) spend row of a project for one month, with who wrote it and when.
-- Params: $project_id, $period (first day of the month).
-- Returns (id, amount, entered_by, entered_at, source) or nothing.
SELECT id, amount, entered_by, entered_at, source
FROM spend_entries
WHERE project_id = $project_id AND period = $period
ORDER BY id DESC
LIMIT 1;

-- The current (latest) spend row of a project for one month.
-- Params: $project_id, $period (first day of the month). Returns (id, amount) or nothing.
SELECT id, amount
FROM spend_entries
WHERE project_id = $project_id AND period = $period
ORDER BY id DESC
LIMIT 1;

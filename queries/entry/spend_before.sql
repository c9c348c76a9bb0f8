-- The spend row of a project and month that was current just before row $id (what undo restores).
-- Params: $project_id, $period, $id. Returns (id, amount) or nothing (= no figure before).
SELECT id, amount
FROM spend_entries
WHERE project_id = $project_id AND period = $period AND id < $id
ORDER BY id DESC
LIMIT 1;

-- The spend rows a batch appended. Params: $batch_id.
-- Returns (id, project_id, period, amount) ordered by id.
SELECT s.id, s.project_id, s.period, s.amount
FROM entry_batch_rows r
JOIN spend_entries s ON s.id = r.row_id
WHERE r.batch_id = $batch_id
ORDER BY s.id;

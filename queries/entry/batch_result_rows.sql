-- The indicator-result rows a batch appended. Params: $batch_id. Returns (id, indicator_id, as_of).
SELECT x.id, x.indicator_id, x.as_of
FROM entry_batch_rows r
JOIN indicator_results x ON x.id = r.row_id
WHERE r.batch_id = $batch_id
ORDER BY x.id;

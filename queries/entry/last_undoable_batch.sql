-- The latest batch of a department and kind that is neither an undo nor already undone.
-- Params: $department_id, $kind. Returns (id, source, created_by, created_at, rows) or nothing.
-- test-params: {"kind": "spend"}
SELECT b.id, b.source, b.created_by, b.created_at,
       (SELECT count(*) FROM entry_batch_rows r WHERE r.batch_id = b.id) AS rows
FROM entry_batches b
WHERE b.department_id = $department_id AND b.kind = $kind AND b.undoes IS NULL
  AND NOT EXISTS (SELECT 1 FROM entry_batches u WHERE u.undoes = b.id)
ORDER BY b.id DESC
LIMIT 1;

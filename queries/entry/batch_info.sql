-- One batch. Params: $batch_id. Returns (id, kind, department_id, source, created_by, created_at,
-- undoes, undone_by) or nothing.
SELECT b.id, b.kind, b.department_id, b.source, b.created_by, b.created_at, b.undoes,
       (SELECT max(u.id) FROM entry_batches u WHERE u.undoes = b.id) AS undone_by
FROM entry_batches b WHERE b.id = $batch_id;

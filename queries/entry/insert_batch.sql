-- Open an entry batch. Params: $kind ('spend' | 'result'), $department_id, $source, $created_by,
-- $undoes (batch id or NULL). Returns (id).
-- test-params: {"kind": "spend", "undoes": null}
INSERT INTO entry_batches (kind, department_id, source, created_by, undoes)
VALUES ($kind, $department_id, $source, $created_by, $undoes)
RETURNING id;

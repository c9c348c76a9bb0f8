-- Record a row appended by a batch. Params: $batch_id, $row_id.
INSERT INTO entry_batch_rows (batch_id, row_id) VALUES ($batch_id, $row_id);

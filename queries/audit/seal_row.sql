-- Chain one audit row. Params: $id, $prev, $hash.
-- test-params: {"id": 1, "prev": "0", "hash": "0"}
UPDATE audit_log SET prev_hash = $prev, row_hash = $hash WHERE id = $id;

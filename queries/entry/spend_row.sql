-- One spend row. Params: $id. Returns (id, project_id, period, amount, entered_by, entered_at) or nothing.
SELECT id, project_id, period, amount, entered_by, entered_at FROM spend_entries WHERE id = $id;

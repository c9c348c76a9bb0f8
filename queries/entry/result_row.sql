-- One result row. Params: $id. Returns (id, indicator_id, as_of, value, done_date, rating,
-- projected_text, projected_value, cause_categories, cause_text, likelihood, measure, note,
-- entered_by, entered_at) or nothing.
SELECT id, indicator_id, as_of, value, done_date, rating, projected_text, projected_value,
       cause_categories, cause_text, likelihood, measure, note, entered_by, entered_at
FROM indicator_results WHERE id = $id;

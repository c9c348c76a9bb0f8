-- The current (latest) result of an indicator for one reporting date, with who and when.
-- Params: $indicator_id, $as_of. Returns (id, value, done_date, rating, projected_text,
-- projected_value, cause_categories, cause_text, likelihood, measure, note, entered_by, entered_at)
-- or nothing.
SELECT id, value, done_date, rating, projected_text, projected_value, cause_categories,
       cause_text, likelihood, measure, note, entered_by, entered_at
FROM indicator_results
WHERE indicator_id = $indicator_id AND as_of = $as_of
ORDER BY id DESC
LIMIT 1;

-- The current (latest) result of an indicator for one reporting date.
-- Params: $indicator_id, $as_of. Returns (id, value, done_date, rating, projected_text,
-- projected_value, cause_categories, cause_text, likelihood, measure, note) or nothing.
SELECT id, value, done_date, rating, projected_text, projected_value, cause_categories,
       cause_text, likelihood, measure, note
FROM indicator_results
WHERE indicator_id = $indicator_id AND as_of = $as_of
ORDER BY id DESC
LIMIT 1;

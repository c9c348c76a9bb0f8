-- The result of an indicator and reporting date that was current just before row $id.
-- Params: $indicator_id, $as_of, $id. Returns (id, value, done_date, rating, projected_text,
-- projected_value, cause_categories, cause_text, likelihood, measure, note) or nothing.
SELECT id, value, done_date, rating, projected_text, projected_value, cause_categories,
       cause_text, likelihood, measure, note
FROM indicator_results
WHERE indicator_id = $indicator_id AND as_of = $as_of AND id < $id
ORDER BY id DESC
LIMIT 1;

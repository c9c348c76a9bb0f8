-- Every indicator result of one project, newest first (history of entries).
-- Params: $project_id. Returns (level1, level2, level3, as_of, value, done_date, rating,
-- likelihood, cause_categories, cause_text, measure, projected_text, is_current, entered_by, entered_at).
SELECT i.level1, i.level2, i.level3, r.as_of, r.value, r.done_date, r.rating, r.likelihood,
       r.cause_categories, r.cause_text, r.measure, r.projected_text,
       r.id = max(r.id) OVER (PARTITION BY r.indicator_id, r.as_of) AS is_current,
       r.entered_by, r.entered_at
FROM indicator_results r
JOIN indicators i ON i.id = r.indicator_id
WHERE i.project_id = $project_id
ORDER BY r.id DESC;

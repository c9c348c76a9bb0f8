-- Per indicator of a department, its latest result with as_of on or before $as_of (the figure to
-- show and pre-fill), and whether that row is in the reporting month [$date_from, $as_of].
-- Params: $department_id, $date_from, $as_of. Returns (indicator_id, id, as_of, value, done_date,
-- rating, projected_text, projected_value, cause_categories, cause_text, likelihood, measure,
-- note, entered_by, entered_at, in_period).
SELECT indicator_id, id, as_of, value, done_date, rating, projected_text, projected_value,
       cause_categories, cause_text, likelihood, measure, note, entered_by, entered_at,
       as_of >= $date_from AS in_period
FROM (
    SELECT r.*, row_number() OVER (PARTITION BY r.indicator_id ORDER BY r.as_of DESC, r.id DESC) AS rn
    FROM indicator_results r
    JOIN indicators i ON i.id = r.indicator_id
    WHERE i.department_id = $department_id AND r.as_of <= $as_of
) t
WHERE rn = 1
ORDER BY indicator_id;

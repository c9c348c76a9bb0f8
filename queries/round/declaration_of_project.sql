-- The current declaration of one project: the latest row dated on or before $as_of.
-- Params: $project_id, $as_of. Returns (id, as_of, projected_amount, progress_text, cause_categories,
-- cause_text, measure, entered_by, entered_at) or nothing.
SELECT id, as_of, projected_amount, progress_text, cause_categories, cause_text, measure, entered_by, entered_at
FROM project_reports
WHERE project_id = $project_id AND as_of <= $as_of
ORDER BY as_of DESC, id DESC
LIMIT 1;

-- Every project report (全年预计执行数, progress text) of one project, newest first.
-- Params: $project_id. Returns (as_of, projected_amount, progress_text, entered_by, entered_at).
SELECT as_of, projected_amount, progress_text, entered_by, entered_at
FROM project_reports
WHERE project_id = $project_id
ORDER BY id DESC;

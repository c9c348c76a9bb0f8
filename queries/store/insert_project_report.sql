-- Append an owner's project report (全年预计执行数, progress text); returns the new id.
-- Params: $project_id, $as_of, $projected_amount, $progress_text, $entered_by.
INSERT INTO project_reports (project_id, as_of, projected_amount, progress_text, entered_by)
VALUES ($project_id, $as_of, $projected_amount, $progress_text, $entered_by)
RETURNING id;

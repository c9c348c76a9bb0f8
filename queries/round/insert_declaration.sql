-- Append a project declaration for one round (全年预计执行数 万元, 1–N月执行情况, 支出偏差原因, 纠偏措施).
-- Params: $project_id, $as_of, $projected_amount, $progress_text, $cause_categories, $cause_text,
-- $measure, $entered_by. Returns the new id.
INSERT INTO project_reports (project_id, as_of, projected_amount, progress_text, cause_categories, cause_text,
                             measure, entered_by)
VALUES ($project_id, $as_of, $projected_amount, $progress_text, $cause_categories, $cause_text, $measure, $entered_by)
RETURNING id;

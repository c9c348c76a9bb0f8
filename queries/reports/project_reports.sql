-- The owner's latest project report (全年预计执行数, 1–N月执行情况 text) per active project of a
-- department-year, among reports dated on or before the cut-off (latest date, then latest row).
-- Params: $department_id, $as_of. Returns (project_id, as_of, projected_amount, progress_text).
SELECT project_id, as_of, projected_amount, progress_text
FROM (
    SELECT r.project_id, r.as_of, r.projected_amount, r.progress_text,
           row_number() OVER (PARTITION BY r.project_id ORDER BY r.as_of DESC, r.id DESC) AS rn
    FROM project_reports r
    JOIN projects p ON p.id = r.project_id
    WHERE p.department_id = $department_id AND NOT p.retired AND r.as_of <= $as_of
) t
WHERE rn = 1;

-- The current declaration per active project of a department: the latest row (by as_of, then id)
-- dated on or before $as_of. Projects without a declaration are listed with NULLs.
-- Params: $department_id, $as_of. Returns (project_id, code, name, budget, declaration_id, as_of,
-- projected_amount, carryover, cause_categories, cause_text, measure, progress_text, entered_by,
-- entered_at); carryover = budget - projected_amount (预计结转结余, 万元).
WITH latest AS (
    SELECT r.*, row_number() OVER (PARTITION BY r.project_id ORDER BY r.as_of DESC, r.id DESC) AS rn
    FROM project_reports r
    JOIN projects p ON p.id = r.project_id
    WHERE p.department_id = $department_id AND r.as_of <= $as_of
)
SELECT p.id AS project_id, p.code, p.name, p.budget,
       l.id AS declaration_id, l.as_of, l.projected_amount,
       CASE WHEN l.projected_amount IS NOT NULL THEN p.budget - l.projected_amount END AS carryover,
       l.cause_categories, l.cause_text, l.measure, l.progress_text, l.entered_by, l.entered_at
FROM projects p
LEFT JOIN latest l ON l.project_id = p.id AND l.rn = 1
WHERE p.department_id = $department_id AND NOT p.retired
ORDER BY p.seq, p.id;

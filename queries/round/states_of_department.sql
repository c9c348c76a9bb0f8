-- The current review state of every active project in scope for the round $as_of (latest row per
-- project; projects without a row have NULL state = draft). Scope: one department with
-- $department_id, or every department of $fiscal_year (NULL = no filter).
-- Params: $department_id (or NULL), $fiscal_year (or NULL), $as_of.
-- Returns (department_id, project_id, code, name, state, comment, changed_by, changed_at).
WITH latest AS (
    SELECT s.*, row_number() OVER (PARTITION BY s.project_id ORDER BY s.id DESC) AS rn
    FROM round_states s
    WHERE s.as_of = $as_of
)
SELECT p.department_id, p.id AS project_id, p.code, p.name, l.state, l.comment, l.changed_by, l.changed_at
FROM projects p
JOIN departments d ON d.id = p.department_id
LEFT JOIN latest l ON l.project_id = p.id AND l.rn = 1
WHERE NOT p.retired
  AND ($department_id IS NULL OR p.department_id = $department_id)
  AND ($fiscal_year IS NULL OR d.fiscal_year = $fiscal_year)
ORDER BY p.department_id, p.seq, p.id;

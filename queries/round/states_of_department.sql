-- The current review state of every active project of a department for the round $as_of
-- (latest row per project; projects without a row have NULL state = draft).
-- Params: $department_id, $as_of. Returns (project_id, code, name, state, comment, changed_by, changed_at).
WITH latest AS (
    SELECT s.*, row_number() OVER (PARTITION BY s.project_id ORDER BY s.id DESC) AS rn
    FROM round_states s
    WHERE s.as_of = $as_of
)
SELECT p.id AS project_id, p.code, p.name, l.state, l.comment, l.changed_by, l.changed_at
FROM projects p
LEFT JOIN latest l ON l.project_id = p.id AND l.rn = 1
WHERE p.department_id = $department_id AND NOT p.retired
ORDER BY p.seq, p.id;

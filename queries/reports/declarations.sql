-- The round's declaration per active project of a department-year: the latest project_reports row
-- dated on or before the cut-off (latest date, then latest row). The whole row comes back as JSON so
-- the columns the monitoring-round migration adds (cause_categories, cause_text, measure) are read
-- when present and the query still runs on a database without them.
-- Params: $department_id, $as_of. Returns (project_id, as_of, row_json).
SELECT project_id, as_of, row_json
FROM (
    SELECT r.project_id, r.as_of, to_json(r) AS row_json,
           row_number() OVER (PARTITION BY r.project_id ORDER BY r.as_of DESC, r.id DESC) AS rn
    FROM project_reports r
    JOIN projects p ON p.id = r.project_id
    WHERE p.department_id = $department_id AND NOT p.retired AND r.as_of <= $as_of
) t
WHERE rn = 1;

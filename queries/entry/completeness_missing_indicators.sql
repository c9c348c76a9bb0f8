-- Active indicators (project and department-level) with no result dated in the reporting month
-- [$date_from, $as_of] (or only an emptied one), set-based over every department in scope (one
-- department with $department_id, or every department of $fiscal_year; NULL = no filter): what
-- owners still owe. Each comes with its latest non-empty result dated before the month, if any
-- (then it is 本期未更新; without one it is 未填报). Results dated after $as_of play no part.
-- Params: $department_id (or NULL), $fiscal_year (or NULL), $date_from, $as_of.
-- Returns (department_id, indicator_id, project_code, project_name, level1, level2, level3,
-- target_text, unit, last_as_of, last_value, last_done_date, last_rating), by department, then
-- department-level indicators last, in project and indicator order.
WITH scope AS (
    SELECT i.id, i.department_id, i.project_id, i.seq, i.level1, i.level2, i.level3, i.target_text, i.unit,
           p.seq AS project_seq, p.code AS project_code, coalesce(p.name, '部门整体') AS project_name
    FROM indicators i
    JOIN departments d ON d.id = i.department_id
    LEFT JOIN projects p ON p.id = i.project_id
    WHERE NOT i.retired AND NOT coalesce(p.retired, false)
      AND ($department_id IS NULL OR i.department_id = $department_id)
      AND ($fiscal_year IS NULL OR d.fiscal_year = $fiscal_year)
), latest AS (
    SELECT r.indicator_id, r.value, r.done_date, r.rating, r.likelihood, r.projected_text,
           row_number() OVER (PARTITION BY r.indicator_id ORDER BY r.as_of DESC, r.id DESC) AS rn
    FROM indicator_results r
    WHERE r.as_of >= $date_from AND r.as_of <= $as_of
), last_filled AS (
    SELECT r.indicator_id, r.as_of, r.value, r.done_date, r.rating,
           row_number() OVER (PARTITION BY r.indicator_id ORDER BY r.as_of DESC, r.id DESC) AS rn
    FROM indicator_results r
    WHERE r.as_of < $date_from
      AND (r.value IS NOT NULL OR r.done_date IS NOT NULL OR r.rating IS NOT NULL
           OR r.likelihood IS NOT NULL OR r.projected_text IS NOT NULL)
)
SELECT i.department_id, i.id AS indicator_id, i.project_code, i.project_name,
       i.level1, i.level2, i.level3, i.target_text, i.unit,
       f.as_of AS last_as_of, f.value AS last_value, f.done_date AS last_done_date, f.rating AS last_rating
FROM scope i
LEFT JOIN latest l ON l.indicator_id = i.id AND l.rn = 1
LEFT JOIN last_filled f ON f.indicator_id = i.id AND f.rn = 1
WHERE l.indicator_id IS NULL OR (l.value IS NULL AND l.done_date IS NULL AND l.rating IS NULL
                                  AND l.likelihood IS NULL AND l.projected_text IS NULL)
ORDER BY i.department_id, i.project_seq NULLS LAST, i.seq, i.id;

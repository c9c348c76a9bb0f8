-- Reporting completeness for one reporting month [$date_from, $as_of], set-based over every
-- department in scope (one department with $department_id, or every department of $fiscal_year;
-- NULL = no filter): per active project, whether that month's spend was entered, whether the
-- owner's project report was filed, and how many of its active indicators have a result dated in
-- the month (an emptied row -- e.g. an undone first entry -- does not count).
-- Params: $department_id (or NULL), $fiscal_year (or NULL), $date_from (first day of the month),
-- $as_of (reporting date).
-- Returns (department_id, project_id, seq, code, name, owners, spend_entered, report_entered,
-- indicators, reported), by department, then project order;
-- owners: the enabled 项目负责人 accounts assigned to the project (display name, else username).
WITH scope AS (
    SELECT p.id, p.department_id, p.seq, p.code, p.name
    FROM projects p JOIN departments d ON d.id = p.department_id
    WHERE NOT p.retired
      AND ($department_id IS NULL OR p.department_id = $department_id)
      AND ($fiscal_year IS NULL OR d.fiscal_year = $fiscal_year)
), latest AS (
    SELECT r.indicator_id, r.value, r.done_date, r.rating, r.likelihood, r.projected_text,
           row_number() OVER (PARTITION BY r.indicator_id ORDER BY r.as_of DESC, r.id DESC) AS rn
    FROM indicator_results r
    WHERE r.as_of >= $date_from AND r.as_of <= $as_of
), counts AS (
    SELECT i.project_id, count(*) AS indicators,
           count(*) FILTER (WHERE l.value IS NOT NULL OR l.done_date IS NOT NULL OR l.rating IS NOT NULL
                                  OR l.likelihood IS NOT NULL OR l.projected_text IS NOT NULL) AS reported
    FROM indicators i
    JOIN scope s ON s.id = i.project_id
    LEFT JOIN latest l ON l.indicator_id = i.id AND l.rn = 1
    WHERE NOT i.retired
    GROUP BY i.project_id
), owners AS (
    SELECT up.project_id,
           string_agg(coalesce(nullif(u.display_name, ''), u.username), '、' ORDER BY u.username) AS owners
    FROM user_projects up JOIN users u ON u.id = up.user_id
    WHERE u.role = 'owner' AND NOT u.disabled
    GROUP BY up.project_id
), spent AS (
    SELECT DISTINCT s.project_id FROM spend_entries s WHERE s.period = $date_from
), reported AS (
    SELECT DISTINCT pr.project_id FROM project_reports pr WHERE pr.as_of >= $date_from AND pr.as_of <= $as_of
)
SELECT s.department_id, s.id AS project_id, s.seq, s.code, s.name, o.owners,
       sp.project_id IS NOT NULL AS spend_entered,
       rp.project_id IS NOT NULL AS report_entered,
       coalesce(c.indicators, 0) AS indicators,
       coalesce(c.reported, 0) AS reported
FROM scope s
LEFT JOIN counts c ON c.project_id = s.id
LEFT JOIN owners o ON o.project_id = s.id
LEFT JOIN spent sp ON sp.project_id = s.id
LEFT JOIN reported rp ON rp.project_id = s.id
ORDER BY s.department_id, s.seq, s.id;

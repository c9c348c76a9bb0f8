-- Reporting completeness of a department for one reporting month [$date_from, $as_of]: per active
-- project, whether that month's spend was entered, whether the owner's project report was filed,
-- and how many of its active indicators have a result dated in the month (an emptied row -- e.g.
-- an undone first entry -- does not count).
-- Params: $department_id, $date_from (first day of the month), $as_of (reporting date).
-- Returns (project_id, seq, code, name, owners, spend_entered, report_entered, indicators, reported);
-- owners: the enabled 项目负责人 accounts assigned to the project (display name, else username).
WITH latest AS (
    SELECT r.indicator_id, r.value, r.done_date, r.rating, r.likelihood, r.projected_text,
           row_number() OVER (PARTITION BY r.indicator_id ORDER BY r.as_of DESC, r.id DESC) AS rn
    FROM indicator_results r
    WHERE r.as_of >= $date_from AND r.as_of <= $as_of
)
SELECT p.id AS project_id, p.seq, p.code, p.name,
       (SELECT string_agg(coalesce(nullif(u.display_name, ''), u.username), '、' ORDER BY u.username)
          FROM user_projects up JOIN users u ON u.id = up.user_id
         WHERE up.project_id = p.id AND u.role = 'owner' AND NOT u.disabled) AS owners,
       EXISTS (SELECT 1 FROM spend_entries s
               WHERE s.project_id = p.id AND s.period = $date_from) AS spend_entered,
       EXISTS (SELECT 1 FROM project_reports pr
               WHERE pr.project_id = p.id AND pr.as_of >= $date_from AND pr.as_of <= $as_of) AS report_entered,
       (SELECT count(*) FROM indicators i WHERE i.project_id = p.id AND NOT i.retired) AS indicators,
       (SELECT count(*) FROM indicators i JOIN latest l ON l.indicator_id = i.id AND l.rn = 1
         WHERE i.project_id = p.id AND NOT i.retired
           AND (l.value IS NOT NULL OR l.done_date IS NOT NULL OR l.rating IS NOT NULL
                OR l.likelihood IS NOT NULL OR l.projected_text IS NOT NULL)) AS reported
FROM projects p
WHERE p.department_id = $department_id AND NOT p.retired
ORDER BY p.seq, p.id;

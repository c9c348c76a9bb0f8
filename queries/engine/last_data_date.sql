-- engine/last_data_date: the last month-end with any spend, indicator result or project report.
-- Params: $department_id (BIGINT or NULL = all departments). Returns one row (last_date DATE or NULL).
WITH live AS (
    SELECT p.id FROM projects p
    WHERE NOT p.retired AND ($department_id::BIGINT IS NULL OR p.department_id = $department_id::BIGINT)
),
dates AS (
    SELECT max(period) AS d FROM spend_entries WHERE project_id IN (SELECT id FROM live)
    UNION ALL
    SELECT max(r.as_of) FROM indicator_results r JOIN indicators i ON i.id = r.indicator_id
    WHERE NOT i.retired AND ($department_id::BIGINT IS NULL OR i.department_id = $department_id::BIGINT)
    UNION ALL
    SELECT max(as_of) FROM project_reports WHERE project_id IN (SELECT id FROM live)
)
SELECT last_day(max(d)) AS last_date FROM dates;

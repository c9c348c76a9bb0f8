-- A project's current spend (万元) over its fiscal year: the sum of the latest row per month.
-- Params: $project_id. Returns (total).
SELECT coalesce(sum(amount), 0) AS total
FROM (
    SELECT s.amount, row_number() OVER (PARTITION BY s.period ORDER BY s.id DESC) AS rn
    FROM spend_entries s
    JOIN projects p ON p.id = s.project_id
    JOIN departments d ON d.id = p.department_id
    WHERE s.project_id = $project_id AND year(s.period) = d.fiscal_year
) t
WHERE rn = 1;

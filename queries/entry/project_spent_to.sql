-- A project's spend (万元) from the start of its fiscal year to the month of $as_of: the sum of the
-- latest row per month. Params: $project_id, $as_of. Returns (spent).
SELECT coalesce(sum(amount), 0) AS spent
FROM (
    SELECT s.amount, row_number() OVER (PARTITION BY s.period ORDER BY s.id DESC) AS rn
    FROM spend_entries s
    JOIN projects p ON p.id = s.project_id
    JOIN departments d ON d.id = p.department_id
    WHERE s.project_id = $project_id AND year(s.period) = d.fiscal_year AND s.period <= $as_of
) t
WHERE rn = 1;

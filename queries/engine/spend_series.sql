-- engine/spend_series: monthly actual spend (万元) of one project or one department in a year.
-- Params: $project_id (BIGINT or NULL), $department_id (BIGINT or NULL; give one of the two), $year.
-- Returns 12 rows: month, period (first day), month_end, amount (NULL where no figure was entered),
--   cumulative (running total, NULL after the last month with data), budget (live projects),
--   cumulative_pct (cumulative / budget × 100, NULL when the budget is 0).
WITH scope AS (
    SELECT p.id AS project_id, p.budget
    FROM projects p
    WHERE NOT p.retired
      AND (p.id = $project_id::BIGINT OR p.department_id = $department_id::BIGINT)
),
month_spend AS (  -- the current figure of a month is its latest row
    SELECT s.project_id, s.period, arg_max(s.amount, s.id) AS amount
    FROM spend_entries s JOIN scope ON scope.project_id = s.project_id
    WHERE year(s.period) = $year::INTEGER
    GROUP BY s.project_id, s.period
),
monthly AS (
    SELECT month(period) AS month, sum(amount)::DOUBLE AS amount FROM month_spend GROUP BY month(period)
),
months AS (
    SELECT m::INTEGER AS month, make_date($year::INTEGER, m::INTEGER, 1) AS period FROM range(1, 13) t(m)
),
budget AS (SELECT coalesce(sum(budget), 0)::DOUBLE AS budget FROM scope),
last_month AS (SELECT max(month) AS m FROM monthly)
SELECT months.month, months.period, last_day(months.period) AS month_end, monthly.amount,
       CASE WHEN months.month <= last_month.m
            THEN sum(coalesce(monthly.amount, 0)) OVER (ORDER BY months.month) END AS cumulative,
       budget.budget,
       CASE WHEN months.month <= last_month.m AND budget.budget > 0
            THEN 100.0 * sum(coalesce(monthly.amount, 0)) OVER (ORDER BY months.month) / budget.budget END AS cumulative_pct
FROM months
LEFT JOIN monthly ON monthly.month = months.month
CROSS JOIN budget CROSS JOIN last_month
ORDER BY months.month;

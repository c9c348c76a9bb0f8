-- engine/project_status: spend pace of every live project at an as-of date, one row per project.
-- Mirrors perfwatch.plan.expected_pct and perfwatch.status.execution_light / project_projections
-- operation for operation (tests/test_status_engine.py checks they agree).
-- Params: $as_of (DATE); $fiscal_year (INTEGER, used when $department_id is NULL);
--   $department_id (BIGINT or NULL = every department of $fiscal_year); $plan_method ('linear'|'step');
--   $execution_rule ('ratio'|'points'); $ratio_red_below, $ratio_yellow_below, $points_red_below,
--   $points_yellow_below (DOUBLE thresholds); $grey_before_first_checkpoint (BOOLEAN: pace grey
--   未到首个节点 before the end of March).
-- Ratio and gap come from 执行率 and the expectation rounded half up to 2 decimals (DOMAIN §5a).
-- Returns: project_id, department_id, department_code, department_name, fiscal_year, code, name, seq,
--   budget, spent, months, time_pct, expected_pct, execution_pct, ratio (1 decimal, half up), gap_pp
--   (2 decimals, half up), execution_light, execution_reason, overspent, plan_shaped, run_rate,
--   owner_projection, projection, projection_source, next_checkpoint_month, next_checkpoint_pct,
--   next_checkpoint_amount, to_next_checkpoint, last_spend_period, plan_text.
-- Amounts in 万元 (DOUBLE, unrounded), percentages 0–100. Report ids are assumed < 1e10.
WITH params AS (
    SELECT $as_of::DATE AS as_of,
           $ratio_red_below::DOUBLE AS rr, $ratio_yellow_below::DOUBLE AS ry,
           $points_red_below::DOUBLE AS pr, $points_yellow_below::DOUBLE AS py,
           rtrim(rtrim(printf('%.2f', $ratio_red_below::DOUBLE), '0'), '.') AS rr_t,
           rtrim(rtrim(printf('%.2f', $ratio_yellow_below::DOUBLE), '0'), '.') AS ry_t,
           rtrim(rtrim(printf('%.2f', $points_red_below::DOUBLE), '0'), '.') AS pr_t,
           rtrim(rtrim(printf('%.2f', $points_yellow_below::DOUBLE), '0'), '.') AS py_t
),
dept AS (
    SELECT d.id AS department_id, d.code AS department_code, d.name AS department_name, d.fiscal_year,
           pw_months_elapsed(params.as_of, d.fiscal_year) AS months
    FROM departments d, params
    WHERE CASE WHEN $department_id::BIGINT IS NULL THEN d.fiscal_year = $fiscal_year::INTEGER
               ELSE d.id = $department_id::BIGINT END
),
proj AS (
    SELECT p.id AS project_id, p.department_id, dept.department_code, dept.department_name,
           dept.fiscal_year, dept.months, p.code, p.name, p.seq, p.budget::DOUBLE AS budget
    FROM projects p JOIN dept ON dept.department_id = p.department_id
    WHERE NOT p.retired
),
-- The current figure of each month is its latest row; months after the as-of date don't count.
-- Every project in scope has the same fiscal year (one department, or the departments of one year).
month_spend AS (
    SELECT s.project_id, s.period, arg_max(s.amount, s.id) AS amount
    FROM spend_entries s, params
    WHERE s.period <= params.as_of AND s.period >= (SELECT make_date(min(fiscal_year), 1, 1) FROM dept)
      AND s.project_id IN (SELECT project_id FROM proj)
    GROUP BY s.project_id, s.period
),
spend AS (
    SELECT project_id, sum(amount)::DOUBLE AS spent, max(period) AS last_spend_period
    FROM month_spend GROUP BY project_id
),
-- The plan with (0, 0%) in front; a project without checkpoints is measured against 序时 (12, 100%).
checkpoints AS (
    SELECT c.project_id, c.month::DOUBLE AS m, c.pct::DOUBLE AS p
    FROM plan_checkpoints c JOIN proj ON proj.project_id = c.project_id
    UNION ALL
    SELECT project_id, 0.0, 0.0 FROM proj
    UNION ALL
    SELECT project_id, 12.0, 100.0 FROM proj
    WHERE NOT EXISTS (SELECT 1 FROM plan_checkpoints c WHERE c.project_id = proj.project_id)
),
segments AS (
    SELECT project_id, m AS m0, p AS p0,
           coalesce(lead(m) OVER w, 13.0) AS m1, coalesce(lead(p) OVER w, p) AS p1
    FROM checkpoints
    WINDOW w AS (PARTITION BY project_id ORDER BY m)
),
expected AS (
    SELECT s.project_id,
           CASE WHEN $plan_method = 'step' THEN s.p0
                ELSE s.p0 + (s.p1 - s.p0) * (proj.months - s.m0) / (s.m1 - s.m0) END AS expected_pct,
           -- the segment's end is the first checkpoint strictly after the as-of date
           CASE WHEN s.m1 <= 12 THEN s.m1::INTEGER END AS next_checkpoint_month,
           CASE WHEN s.m1 <= 12 THEN s.p1 END AS next_checkpoint_pct
    FROM segments s JOIN proj ON proj.project_id = s.project_id
    WHERE proj.months >= s.m0 AND proj.months < s.m1
),
plan_text AS (
    SELECT c.project_id,
           string_agg(c.month || '月' || rtrim(rtrim(c.pct::VARCHAR, '0'), '.') || '%', '/' ORDER BY c.month) AS plan_text
    FROM plan_checkpoints c JOIN proj ON proj.project_id = c.project_id
    GROUP BY c.project_id
),
-- The owner's 全年预计执行数: latest report (by as_of, then entry) with an amount, dated up to $as_of.
owner AS (
    SELECT r.project_id, arg_max(r.projected_amount, date_diff('day', DATE '2000-01-01', r.as_of) * 10000000000 + r.id)::DOUBLE AS owner_projection
    FROM project_reports r JOIN proj ON proj.project_id = r.project_id, params
    WHERE r.as_of <= params.as_of AND r.projected_amount IS NOT NULL
    GROUP BY r.project_id
),
figures AS (
    SELECT proj.*, coalesce(spend.spent, 0.0) AS spent, spend.last_spend_period,
           100.0 * proj.months / 12 AS time_pct, e.expected_pct,
           CASE WHEN proj.budget > 0 THEN 100.0 * coalesce(spend.spent, 0.0) / proj.budget END AS execution_pct,
           owner.owner_projection, e.next_checkpoint_month, e.next_checkpoint_pct,
           plan_text.plan_text
    FROM proj
    JOIN expected e ON e.project_id = proj.project_id
    LEFT JOIN spend ON spend.project_id = proj.project_id
    LEFT JOIN owner ON owner.project_id = proj.project_id
    LEFT JOIN plan_text ON plan_text.project_id = proj.project_id
),
rounded AS (
    SELECT f.*,
           floor(f.execution_pct * 100 + 0.5 + 1e-9) / 100 AS pct2,
           floor(f.expected_pct * 100 + 0.5 + 1e-9) / 100 AS exp2
    FROM figures f
),
rated AS (
    SELECT f.*,
           CASE WHEN f.budget > 0 AND f.exp2 > 0
                THEN floor(100.0 * f.pct2 / f.exp2 * 10 + 1e-7 + 0.5) / 10 END AS ratio,
           CASE WHEN f.budget > 0 THEN floor((f.pct2 - f.exp2) * 100 + 0.5 + 1e-9) / 100 END AS gap_pp,
           f.spent > f.budget + 0.004 AS overspent,
           CASE WHEN f.expected_pct > 1e-9 THEN 100.0 * f.spent / f.expected_pct END AS plan_shaped,
           CASE WHEN f.months > 0 THEN f.spent * 12 / f.months END AS run_rate,
           $grey_before_first_checkpoint::BOOLEAN AND f.months < 3.0 - 1e-9 AS before_first_checkpoint
    FROM rounded f
),
lit AS (
    SELECT r.*,
           CASE WHEN r.budget <= 0 THEN 'grey'
                WHEN r.before_first_checkpoint THEN 'grey'
                WHEN r.exp2 <= 0 THEN CASE WHEN r.spent > 0 THEN 'green' ELSE 'grey' END
                WHEN $execution_rule = 'points' THEN
                    CASE WHEN r.gap_pp < params.pr THEN 'red' WHEN r.gap_pp < params.py THEN 'yellow' ELSE 'green' END
                ELSE CASE WHEN r.ratio < params.rr THEN 'red' WHEN r.ratio < params.ry THEN 'yellow' ELSE 'green' END
           END AS execution_light
    FROM rated r, params
)
SELECT l.project_id, l.department_id, l.department_code, l.department_name, l.fiscal_year, l.code, l.name,
       l.seq, l.budget, l.spent, l.months, l.time_pct, l.expected_pct, l.execution_pct, l.ratio, l.gap_pp,
       l.execution_light,
       CASE WHEN l.budget <= 0 THEN '预算数为0，无法计算执行率（灰灯）'
            WHEN l.before_first_checkpoint THEN
                printf('未到首个节点（3月底）：计划应达%.2f%%，执行率%.2f%%，暂不评价（灰灯）', l.exp2, l.pct2)
            WHEN l.exp2 <= 0 THEN
                CASE WHEN l.spent > 0 THEN printf('未到支出节点：计划应达0.00%%，已提前支出，执行率%.2f%%（绿灯）', l.pct2)
                     ELSE '未到支出节点：计划应达0.00%，尚无支出（灰灯）' END
            WHEN $execution_rule = 'points' THEN
                printf('执行率%.2f%%，计划应达%.2f%%，偏差%+.2f个百分点（%s）', l.pct2, l.exp2, l.gap_pp,
                       CASE l.execution_light WHEN 'red' THEN '<' || params.pr_t || ' 红灯'
                            WHEN 'yellow' THEN params.pr_t || '至' || params.py_t || ' 黄灯'
                            ELSE '≥' || params.py_t || ' 绿灯' END)
            ELSE printf('执行率%.2f%%，计划应达%.2f%%，比值%.1f（%s）', l.pct2, l.exp2, l.ratio,
                        CASE l.execution_light WHEN 'red' THEN '<' || params.rr_t || ' 红灯'
                             WHEN 'yellow' THEN params.rr_t || '–' || params.ry_t || ' 黄灯'
                             ELSE '≥' || params.ry_t || ' 绿灯' END)
       END || CASE WHEN l.overspent THEN printf('；超预算%.2f万元', l.spent - l.budget) ELSE '' END AS execution_reason,
       l.overspent, l.plan_shaped, l.run_rate, l.owner_projection,
       coalesce(l.owner_projection, l.plan_shaped, l.run_rate) AS projection,
       CASE WHEN l.owner_projection IS NOT NULL THEN '负责人预计'
            WHEN l.plan_shaped IS NOT NULL THEN '按计划推算'
            WHEN l.run_rate IS NOT NULL THEN '按月均推算' END AS projection_source,
       l.next_checkpoint_month, l.next_checkpoint_pct,
       l.budget * l.next_checkpoint_pct / 100 AS next_checkpoint_amount,
       greatest(0.0, l.budget * l.next_checkpoint_pct / 100 - l.spent) AS to_next_checkpoint,
       l.last_spend_period, l.plan_text
FROM lit l, params
ORDER BY l.department_code, l.seq, l.code;

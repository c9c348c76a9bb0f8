-- engine/indicator_status: the light of every live indicator at an as-of date, one row each.
-- Mirrors perfwatch.status.indicator_light rule for rule and reason for reason
-- (tests/test_status_engine.py checks they agree on generated cases).
-- The project spend and projection used by cost indicators repeat engine/project_status's
-- definitions (latest row per month up to $as_of; owner's 全年预计, else plan-shaped, else run-rate).
-- Params: $as_of (DATE); $fiscal_year (INTEGER, used when $department_id is NULL);
--   $department_id (BIGINT or NULL = every department of $fiscal_year); $plan_method ('linear'|'step');
--   $rate_tolerance_pp, $count_red_below, $count_yellow_below, $count_blue_from (DOUBLE).
-- Returns: indicator_id, department_id, department_code, project_id, project_code, project_name,
--   project_seq, sub_goal_id, sub_goal_seq, sub_goal_title, seq, level1, level2, level3, description,
--   target_text, kind, rule_kind, comparator, target_value, unit, deadline, due (deadline or year end),
--   satisfaction, milestone_based,
--   actual, expected, light, reason, result_id, result_as_of, done_date, rating, likelihood,
--   projected_text, projected_value, cause_categories, cause_text, measure, note.
WITH params AS (
    SELECT $as_of::DATE AS as_of, $rate_tolerance_pp::DOUBLE AS tol,
           $count_red_below::DOUBLE AS crb, $count_yellow_below::DOUBLE AS cyb, $count_blue_from::DOUBLE AS cbf,
           rtrim(rtrim(printf('%.2f', $rate_tolerance_pp::DOUBLE), '0'), '.') AS tol_t,
           rtrim(rtrim(printf('%.2f', $count_red_below::DOUBLE), '0'), '.') AS crb_t,
           rtrim(rtrim(printf('%.2f', $count_yellow_below::DOUBLE), '0'), '.') AS cyb_t,
           rtrim(rtrim(printf('%.2f', $count_blue_from::DOUBLE), '0'), '.') AS cbf_t
),
dept AS (
    SELECT d.id AS department_id, d.code AS department_code, d.fiscal_year,
           CASE WHEN year(params.as_of) < d.fiscal_year THEN 0.0
                WHEN year(params.as_of) > d.fiscal_year THEN 12.0
                ELSE (month(params.as_of) - 1) + day(params.as_of) / day(last_day(params.as_of))
           END AS months
    FROM departments d, params
    WHERE CASE WHEN $department_id::BIGINT IS NULL THEN d.fiscal_year = $fiscal_year::INTEGER
               ELSE d.id = $department_id::BIGINT END
),
proj AS (
    SELECT p.id AS project_id, p.code, p.name, p.seq, dept.fiscal_year, dept.months
    FROM projects p JOIN dept ON dept.department_id = p.department_id
    WHERE NOT p.retired
),
ind AS (
    SELECT i.id AS indicator_id, i.department_id, dept.department_code, i.project_id,
           proj.code AS project_code, proj.name AS project_name, proj.seq AS project_seq,
           i.sub_goal_id, sg.seq AS sub_goal_seq, sg.title AS sub_goal_title, i.seq,
           i.level1, i.level2, i.level3, i.description, i.target_text, i.kind, i.comparator,
           i.value AS target_value, i.unit, coalesce(i.unit, '') AS u,
           i.deadline, coalesce(i.deadline, make_date(dept.fiscal_year, 12, 31)) AS due, dept.months,
           (coalesce(i.level2, '') = '服务对象满意度指标' OR contains(coalesce(i.level3, ''), '满意度')) AS satisfaction,
           CASE WHEN i.kind IN ('count', 'rate') AND i.comparator = '<=' THEN 'ceiling' ELSE i.kind END AS rule_kind
    FROM indicators i
    JOIN dept ON dept.department_id = i.department_id
    LEFT JOIN proj ON proj.project_id = i.project_id
    LEFT JOIN sub_goals sg ON sg.id = i.sub_goal_id
    WHERE NOT i.retired AND (i.project_id IS NULL OR proj.project_id IS NOT NULL)
),
-- Project spend and projection, for cost indicators (same definitions as engine/project_status).
month_spend AS (
    SELECT s.project_id, s.period, arg_max(s.amount, s.id) AS amount
    FROM spend_entries s JOIN proj ON proj.project_id = s.project_id, params
    WHERE s.period <= params.as_of AND year(s.period) = proj.fiscal_year
    GROUP BY s.project_id, s.period
),
spend AS (SELECT project_id, sum(amount)::DOUBLE AS spent FROM month_spend GROUP BY project_id),
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
                ELSE s.p0 + (s.p1 - s.p0) * (proj.months - s.m0) / (s.m1 - s.m0) END AS expected_pct
    FROM segments s JOIN proj ON proj.project_id = s.project_id
    WHERE proj.months >= s.m0 AND proj.months < s.m1
),
owner AS (
    SELECT r.project_id, arg_max(r.projected_amount, (r.as_of, r.id))::DOUBLE AS owner_projection
    FROM project_reports r JOIN proj ON proj.project_id = r.project_id, params
    WHERE r.as_of <= params.as_of AND r.projected_amount IS NOT NULL
    GROUP BY r.project_id
),
pfig AS (
    SELECT proj.project_id, coalesce(spend.spent, 0.0) AS spent, owner.owner_projection,
           CASE WHEN e.expected_pct > 1e-9 THEN 100.0 * coalesce(spend.spent, 0.0) / e.expected_pct END AS plan_shaped,
           CASE WHEN proj.months > 0 THEN coalesce(spend.spent, 0.0) * 12 / proj.months END AS run_rate
    FROM proj
    JOIN expected e ON e.project_id = proj.project_id
    LEFT JOIN spend ON spend.project_id = proj.project_id
    LEFT JOIN owner ON owner.project_id = proj.project_id
),
-- The current result: latest reporting date up to $as_of, then the latest entry for it.
latest AS (
    SELECT r.indicator_id, arg_max(r.id, (r.as_of, r.id)) AS result_id
    FROM indicator_results r JOIN ind ON ind.indicator_id = r.indicator_id, params
    WHERE r.as_of <= params.as_of
    GROUP BY r.indicator_id
),
res AS (SELECT r.* FROM indicator_results r JOIN latest ON latest.result_id = r.id),
-- Milestones: linear from (0, 0) through the cumulative values, flat after the last one.
ms_points AS (
    SELECT m.indicator_id, m.month::DOUBLE AS m, m.value AS v
    FROM indicator_milestones m JOIN ind ON ind.indicator_id = m.indicator_id
    UNION ALL
    SELECT DISTINCT m.indicator_id, 0.0, 0.0
    FROM indicator_milestones m JOIN ind ON ind.indicator_id = m.indicator_id
),
ms_segments AS (
    SELECT indicator_id, m AS m0, v AS v0,
           coalesce(lead(m) OVER w, 13.0) AS m1, coalesce(lead(v) OVER w, v) AS v1
    FROM ms_points
    WINDOW w AS (PARTITION BY indicator_id ORDER BY m)
),
ms_expected AS (
    SELECT s.indicator_id, s.v0 + (s.v1 - s.v0) * (ind.months - s.m0) / (s.m1 - s.m0) AS expected
    FROM ms_segments s JOIN ind ON ind.indicator_id = s.indicator_id
    WHERE ind.months >= s.m0 AND ind.months < s.m1
),
facts AS (
    SELECT ind.*, res.id AS result_id, res.as_of AS result_as_of, res.value AS a, res.done_date, res.rating,
           res.likelihood, res.projected_text, res.projected_value, res.cause_categories, res.cause_text,
           res.measure, res.note,
           rtrim(rtrim(printf('%.2f', res.value), '0'), '.') AS a_t,
           ms.expected IS NOT NULL AS milestone_based,
           CASE WHEN ind.rule_kind = 'count' THEN coalesce(ms.expected, ind.target_value * ind.months / 12) END AS e,
           CASE WHEN ms.expected IS NOT NULL THEN '按里程碑' ELSE '按序时' END AS basis,
           CASE WHEN ind.unit LIKE '%亿%' THEN ind.target_value * 10000
                WHEN ind.unit = '元' THEN ind.target_value / 10000
                ELSE ind.target_value END AS cap,
           CASE WHEN ind.project_id IS NOT NULL THEN pfig.spent ELSE res.value END AS cost_spent,
           CASE WHEN ind.project_id IS NOT NULL THEN coalesce(pfig.owner_projection, pfig.plan_shaped, pfig.run_rate)
                ELSE res.projected_value END AS cost_projection,
           CASE WHEN ind.project_id IS NULL THEN '填报预计'
                WHEN pfig.owner_projection IS NOT NULL THEN '负责人预计'
                WHEN pfig.plan_shaped IS NOT NULL THEN '按计划推算'
                WHEN pfig.run_rate IS NOT NULL THEN '按月均推算' END AS cost_source,
           (res.done_date IS NOT NULL AND res.done_date <= params.as_of) AS done_by_date,
           CASE WHEN ind.satisfaction THEN '待评：满意度调查尚未开展（灰灯）'
                ELSE '未填报：尚无实际完成值（灰灯）' END AS no_data,
           params.*
    FROM ind
    CROSS JOIN params
    LEFT JOIN res ON res.indicator_id = ind.indicator_id
    LEFT JOIN ms_expected ms ON ms.indicator_id = ind.indicator_id
    LEFT JOIN pfig ON pfig.project_id = ind.project_id
),
scored AS (
    SELECT f.*,
           CASE WHEN f.rule_kind = 'count' AND f.e >= 1 AND f.a IS NOT NULL
                THEN floor(100.0 * f.a / f.e * 10 + 0.5) / 10 END AS q
    FROM facts f
),
base AS (
    SELECT s.*,
        CASE s.rule_kind
        WHEN 'count' THEN
            CASE WHEN s.e IS NULL THEN 'grey'
                 WHEN s.e < 1 THEN CASE WHEN s.a > 0 THEN 'green' ELSE 'grey' END
                 WHEN s.a IS NULL THEN 'grey'
                 WHEN s.q < s.crb THEN 'red' WHEN s.q < s.cyb THEN 'yellow' WHEN s.q < s.cbf THEN 'green'
                 ELSE 'blue' END
        WHEN 'rate' THEN
            CASE WHEN s.target_value IS NULL OR s.a IS NULL THEN 'grey'
                 WHEN s.a >= s.target_value - 1e-9 THEN 'green'
                 WHEN s.a >= s.target_value - s.tol - 1e-9 THEN 'yellow'
                 ELSE 'red' END
        WHEN 'ceiling' THEN
            CASE WHEN s.target_value IS NULL OR s.a IS NULL THEN 'grey'
                 WHEN s.a <= s.target_value + 1e-9 THEN 'green' ELSE 'red' END
        WHEN 'zero' THEN
            CASE WHEN s.a IS NULL THEN 'grey' WHEN s.a <= 1e-9 THEN 'green' ELSE 'red' END
        WHEN 'cost' THEN
            CASE WHEN s.cap IS NULL OR s.cost_spent IS NULL THEN 'grey'
                 WHEN s.cost_spent > s.cap + 1e-9 THEN 'red'
                 WHEN s.cost_projection > s.cap + 1e-9 THEN 'yellow'
                 ELSE 'green' END
        WHEN 'deadline' THEN
            CASE WHEN s.done_by_date OR s.rating = '达成' THEN 'green'
                 WHEN s.as_of <= s.due THEN 'grey' ELSE 'red' END
        ELSE
            CASE s.rating WHEN '达成' THEN 'green' WHEN '部分达成' THEN 'yellow' WHEN '未达成' THEN 'red'
                 ELSE 'grey' END
        END AS base_light,
        CASE s.rule_kind
        WHEN 'count' THEN
            CASE WHEN s.e IS NULL THEN '指标值未量化，无法按进度评价（灰灯）'
                 WHEN s.e < 1 THEN
                     CASE WHEN s.a > 0 THEN printf('实际%s%s，%s应达%.2f%s，不足1%s未到期，已有完成（绿灯）', s.a_t, s.u, s.basis, s.e, s.u, s.u)
                          ELSE printf('未到期：%s应达%.2f%s，不足1%s（灰灯）', s.basis, s.e, s.u, s.u) END
                 WHEN s.a IS NULL THEN s.no_data
                 ELSE printf('实际%s%s，%s应达%.1f%s，完成%.1f%%（%s）', s.a_t, s.u, s.basis, s.e, s.u, s.q,
                             CASE WHEN s.q < s.crb THEN '<' || s.crb_t || ' 红灯'
                                  WHEN s.q < s.cyb THEN s.crb_t || '–' || s.cyb_t || ' 黄灯'
                                  WHEN s.q < s.cbf THEN s.cyb_t || '–' || s.cbf_t || ' 绿灯'
                                  ELSE '≥' || s.cbf_t || ' 蓝灯，远超进度' END)
            END
        WHEN 'rate' THEN
            CASE WHEN s.target_value IS NULL THEN '指标值未量化（灰灯）'
                 WHEN s.a IS NULL THEN s.no_data
                 WHEN s.a >= s.target_value - 1e-9 THEN printf('实际%s%s，目标%s（达标 绿灯）', s.a_t, s.u, s.target_text)
                 ELSE printf('实际%s%s，目标%s，低于指标值%s%s（%s）', s.a_t, s.u, s.target_text,
                             rtrim(rtrim(printf('%.2f', s.target_value - s.a), '0'), '.'),
                             CASE WHEN s.u = '%' THEN '个百分点' ELSE s.u END,
                             CASE WHEN s.a >= s.target_value - s.tol - 1e-9 THEN '容差' || s.tol_t || '个百分点以内 黄灯'
                                  ELSE '超出容差' || s.tol_t || '个百分点 红灯' END)
            END
        WHEN 'ceiling' THEN
            CASE WHEN s.target_value IS NULL THEN '指标值未量化（灰灯）'
                 WHEN s.a IS NULL THEN s.no_data
                 WHEN s.a <= s.target_value + 1e-9 THEN printf('实际%s%s，目标%s（未超上限 绿灯）', s.a_t, s.u, s.target_text)
                 ELSE printf('实际%s%s，目标%s（超过上限 红灯）', s.a_t, s.u, s.target_text)
            END
        WHEN 'zero' THEN
            CASE WHEN s.a IS NULL THEN s.no_data
                 WHEN s.a <= 1e-9 THEN printf('实际%s%s，目标%s（未发生 绿灯）', s.a_t, s.u, s.target_text)
                 ELSE printf('实际%s%s，目标%s（已发生 红灯）', s.a_t, s.u, s.target_text)
            END
        WHEN 'cost' THEN
            CASE WHEN s.cap IS NULL THEN '成本上限未量化（灰灯）'
                 WHEN s.cost_spent IS NULL THEN s.no_data
                 WHEN s.cost_spent > s.cap + 1e-9
                     THEN printf('已支出%.2f万元，超过成本上限%.2f万元（红灯）', s.cost_spent, s.cap)
                 WHEN s.cost_projection > s.cap + 1e-9
                     THEN printf('已支出%.2f万元，全年预计%.2f万元（%s），将超过成本上限%.2f万元（黄灯）',
                                 s.cost_spent, s.cost_projection, s.cost_source, s.cap)
                 WHEN s.cost_projection IS NOT NULL
                     THEN printf('已支出%.2f万元，全年预计%.2f万元（%s），未超成本上限%.2f万元（绿灯）',
                                 s.cost_spent, s.cost_projection, s.cost_source, s.cap)
                 ELSE printf('已支出%.2f万元，未超成本上限%.2f万元（绿灯）', s.cost_spent, s.cap)
            END
        WHEN 'deadline' THEN
            CASE WHEN s.done_by_date THEN printf('已于%s完成，期限%s（绿灯）', strftime(s.done_date, '%Y-%m-%d'), strftime(s.due, '%Y-%m-%d'))
                 WHEN s.rating = '达成' THEN printf('负责人评价：已完成（达成），期限%s（绿灯）', strftime(s.due, '%Y-%m-%d'))
                 WHEN s.as_of <= s.due THEN printf('未到期：期限%s，尚未完成（灰灯）', strftime(s.due, '%Y-%m-%d'))
                 ELSE printf('已逾期：期限%s，尚未完成（红灯）', strftime(s.due, '%Y-%m-%d'))
            END
        ELSE
            CASE s.rating WHEN '达成' THEN '负责人评价：达成（绿灯）'
                 WHEN '部分达成' THEN '负责人评价：部分达成（黄灯）'
                 WHEN '未达成' THEN '负责人评价：未达成（红灯）'
                 ELSE CASE WHEN s.satisfaction THEN '待评：满意度调查尚未开展（灰灯）' ELSE '待评：尚无负责人评价（灰灯）' END
            END
        END AS base_reason
    FROM scored s
)
SELECT b.indicator_id, b.department_id, b.department_code, b.project_id, b.project_code, b.project_name,
       b.project_seq, b.sub_goal_id, b.sub_goal_seq, b.sub_goal_title, b.seq, b.level1, b.level2, b.level3,
       b.description, b.target_text, b.kind, b.rule_kind, b.comparator, b.target_value, b.unit, b.deadline, b.due,
       b.satisfaction, b.milestone_based,
       CASE WHEN b.rule_kind = 'cost' THEN b.cost_spent ELSE b.a END AS actual,
       CASE b.rule_kind WHEN 'count' THEN b.e WHEN 'rate' THEN b.target_value WHEN 'ceiling' THEN b.target_value
            WHEN 'zero' THEN 0.0 WHEN 'cost' THEN b.cap END AS expected,
       CASE WHEN b.likelihood = '完全不可能' THEN 'red'
            WHEN b.likelihood = '有可能' AND b.base_light IN ('green', 'blue', 'grey') THEN 'yellow'
            ELSE b.base_light END AS light,
       b.base_reason || CASE WHEN b.likelihood = '完全不可能' AND b.base_light <> 'red'
                                 THEN '；负责人判断完成目标可能性为“完全不可能”，调为红灯'
                             WHEN b.likelihood = '有可能' AND b.base_light IN ('green', 'blue', 'grey')
                                 THEN '；负责人判断完成目标可能性为“有可能”，调为黄灯'
                             ELSE '' END AS reason,
       b.result_id, b.result_as_of, b.done_date, b.rating, b.likelihood, b.projected_text, b.projected_value,
       b.cause_categories, b.cause_text, b.measure, b.note
FROM base b
ORDER BY b.department_code, b.project_seq NULLS FIRST, b.sub_goal_seq NULLS FIRST, b.seq, b.indicator_id;

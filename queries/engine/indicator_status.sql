-- engine/indicator_status: the light of every live indicator at an as-of date, one row each.
-- Mirrors perfwatch.status.indicator_light rule for rule and reason for reason
-- (tests/test_status_engine.py checks they agree on generated cases).
-- Reads the relation project_figures (project_id, spent, projection, projection_source, budget): the
-- result of engine/project_status, registered on the cursor by perfwatch.status.engine_query, so
-- cost indicators use exactly the project's spend and projection.
-- Params: $as_of (DATE); $fiscal_year (INTEGER, used when $department_id is NULL);
--   $department_id (BIGINT or NULL = every department of $fiscal_year);
--   $rate_tolerance_pp, $count_red_below, $count_yellow_below, $count_blue_from (DOUBLE).
-- Returns: indicator_id, department_id, department_code, project_id, project_code, project_name,
--   project_seq, sub_goal_id, sub_goal_seq, sub_goal_title, seq, level1, level2, level3, description,
--   target_text, kind, rule_kind, comparator, target_value, unit, deadline, due (deadline or year end),
--   satisfaction, milestone_based, actual, expected, light, reason, result_id, result_as_of, done_date,
--   rating, likelihood, projected_text, projected_value, cause_categories, cause_text, measure, note.
-- The current result: the latest reporting date up to $as_of, then the latest entry (ids < 1e10).
-- Unordered (sorting 700,000 wide rows is cheaper in Arrow): perfwatch.status sorts by
--   department_code, project_seq (department-level first), sub_goal_seq, seq, indicator_id.
-- test-relations: {"project_figures": "engine/project_status"}
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
           pw_months_elapsed(params.as_of, d.fiscal_year) AS months
    FROM departments d, params
    WHERE CASE WHEN $department_id::BIGINT IS NULL THEN d.fiscal_year = $fiscal_year::INTEGER
               ELSE d.id = $department_id::BIGINT END
),
-- Narrow on purpose (ids, numbers, flags); the display columns join in at the end.
ind AS (
    SELECT i.id AS indicator_id, i.project_id, dept.months, dept.fiscal_year AS fy, i.value AS target_value, i.unit, i.nature,
           coalesce(i.unit, '') AS u, i.target_text,
           coalesce(i.deadline, make_date(dept.fiscal_year, 12, 31)) AS due,
           (coalesce(i.level2, '') = '服务对象满意度指标' OR contains(coalesce(i.level3, ''), '满意度')
            OR contains(coalesce(i.level3, ''), '满意率')) AS satisfaction,
           CASE WHEN i.kind IN ('count', 'rate') AND i.comparator = '<=' THEN 'ceiling' ELSE i.kind END AS rule_kind
    FROM indicators i
    JOIN dept ON dept.department_id = i.department_id
    LEFT JOIN projects p ON p.id = i.project_id
    WHERE NOT i.retired AND (i.project_id IS NULL OR NOT p.retired)
),
-- Results are dated within their fiscal year, so older years are skipped cheaply.
latest AS (
    SELECT r.indicator_id,
           max(date_diff('day', DATE '2000-01-01', r.as_of) * 10000000000 + r.id) % 10000000000 AS result_id
    FROM indicator_results r, params
    WHERE r.as_of <= params.as_of AND r.as_of >= (SELECT make_date(min(fiscal_year), 1, 1) FROM dept)
    GROUP BY r.indicator_id
),
-- Stale results (older than the reporting month) are judged at their own date: jm = months then.
jm AS (
    SELECT ind.indicator_id, r.as_of < date_trunc('month', params.as_of) AS stale,
           CASE WHEN r.as_of < date_trunc('month', params.as_of) THEN pw_months_elapsed(r.as_of, ind.fy)
                ELSE ind.months END AS jm
    FROM ind CROSS JOIN params
    LEFT JOIN latest ON latest.indicator_id = ind.indicator_id
    LEFT JOIN indicator_results r ON r.id = latest.result_id
),
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
    SELECT s.indicator_id, s.v0 + (s.v1 - s.v0) * (jm.jm - s.m0) / (s.m1 - s.m0) AS expected
    FROM ms_segments s JOIN jm ON jm.indicator_id = s.indicator_id
    WHERE jm.jm >= s.m0 AND jm.jm < s.m1
),
-- Count natures (DOMAIN §5a): the last milestone month and the cumulative milestone reached (a step).
ms_info AS (
    SELECT m.indicator_id, max(m.month)::DOUBLE AS last_month,
           max(m.value) FILTER (WHERE m.month <= jm.jm + 1e-9) AS step
    FROM indicator_milestones m JOIN jm ON jm.indicator_id = m.indicator_id
    GROUP BY m.indicator_id
),
-- Months elapsed from which a count is judged on its full target (stock 0, one-off its last milestone
-- month or 12, scheduled without milestones 9 = the last quarter); NULL = pro-rated or by milestones.
nat AS (
    SELECT ind.indicator_id, msi.last_month IS NOT NULL AS has_ms, coalesce(msi.step, 0.0) AS step,
           CASE WHEN ind.nature = 'stock' THEN 0.0
                WHEN ind.nature = 'one_off' THEN coalesce(msi.last_month, 12.0)
                WHEN ind.nature = 'scheduled' AND msi.last_month IS NULL THEN 9.0 END AS full_due
    FROM ind LEFT JOIN ms_info msi ON msi.indicator_id = ind.indicator_id
),
facts AS (
    SELECT ind.*, params.*, nat.full_due, jm.jm, jm.stale,
           res.id AS result_id, res.as_of AS result_as_of, res.value AS a, res.done_date, res.rating, res.likelihood,
           res.projected_text, res.projected_value, res.cause_categories, res.cause_text, res.measure, res.note,
           ms.expected IS NOT NULL AS milestone_based,
           CASE WHEN ind.rule_kind <> 'count' THEN NULL
                WHEN nat.full_due IS NOT NULL THEN ind.target_value
                WHEN ind.nature = 'scheduled' THEN nat.step
                ELSE coalesce(ms.expected, ind.target_value * jm.jm / 12) END AS e,
           CASE WHEN nat.full_due IS NOT NULL THEN '按全年目标'
                WHEN ms.expected IS NOT NULL OR (ind.nature = 'scheduled' AND nat.has_ms) THEN '按里程碑'
                ELSE '按序时' END AS basis,
           CASE WHEN ind.unit LIKE '%亿%' THEN ind.target_value * 10000
                WHEN ind.unit = '元' THEN ind.target_value / 10000
                ELSE ind.target_value END AS cap,
           CASE WHEN ind.project_id IS NOT NULL THEN pf.spent ELSE res.value END AS cost_spent,
           -- A system projection is capped at the budget: spending ahead of plan is not a cost overrun.
           CASE WHEN ind.project_id IS NULL THEN res.projected_value
                WHEN pf.projection_source <> '负责人预计' AND pf.projection > pf.budget THEN pf.budget
                ELSE pf.projection END AS cost_projection,
           CASE WHEN ind.project_id IS NULL THEN '填报预计'
                WHEN pf.projection_source <> '负责人预计' AND pf.projection > pf.budget
                    THEN concat(pf.projection_source, '，以预算数为限')
                ELSE pf.projection_source END AS cost_source,
           (res.done_date IS NOT NULL AND res.done_date <= params.as_of) AS done_by_date
    FROM ind
    CROSS JOIN params
    LEFT JOIN latest ON latest.indicator_id = ind.indicator_id
    LEFT JOIN indicator_results res ON res.id = latest.result_id
    LEFT JOIN ms_expected ms ON ms.indicator_id = ind.indicator_id
    LEFT JOIN nat ON nat.indicator_id = ind.indicator_id
    LEFT JOIN jm ON jm.indicator_id = ind.indicator_id
    LEFT JOIN project_figures pf ON pf.project_id = ind.project_id
),
scored AS (
    SELECT f.*,
           CASE WHEN f.rule_kind = 'count' AND f.e >= 1 AND f.a IS NOT NULL
                THEN floor(100.0 * f.a / f.e * 10 + 0.5) / 10 END AS q,
           CASE WHEN f.full_due IS NOT NULL AND f.a IS NOT NULL AND f.target_value IS NOT NULL
                THEN CASE WHEN f.target_value > 1e-9 THEN floor(100.0 * f.a / f.target_value * 10 + 0.5) / 10 ELSE 100.0 END
           END AS fq,
           CASE WHEN f.nature = 'scheduled' THEN f.jm <= f.full_due + 1e-9 ELSE f.jm < f.full_due - 1e-9 END AS not_due,
           CASE f.nature WHEN 'one_off' THEN '一次性' WHEN 'scheduled' THEN '集中开展' ELSE '存量' END AS nat_label,
           rtrim(rtrim(printf('%.2f', f.target_value), '0'), '.') AS t_t,
           concat(rtrim(rtrim(printf('%.2f', f.a), '0'), '.'), f.u,
                  CASE WHEN f.stale THEN concat('（截至', month(f.result_as_of), '月', day(f.result_as_of), '日）') ELSE '' END) AS a_tu,
           -- No result: a survey not yet run is 待评, at a 12-31 cut-off red 未开展调查; else 未填报.
           CASE WHEN f.satisfaction AND f.months >= 12.0 THEN '未开展调查：截至年底尚无满意度调查结果（红灯）'
                WHEN f.satisfaction THEN '待评：满意度调查尚未开展（灰灯）'
                ELSE '未填报：尚无实际完成值（灰灯）' END AS no_data,
           CASE WHEN f.satisfaction AND f.months >= 12.0 THEN 'red' ELSE 'grey' END AS no_data_light
    FROM facts f
),
base AS (
    SELECT s.*,
        CASE s.rule_kind
        WHEN 'count' THEN
            CASE WHEN s.full_due IS NOT NULL THEN
                     CASE WHEN s.target_value IS NULL THEN 'grey'
                          WHEN s.not_due THEN CASE WHEN s.a >= s.target_value - 1e-9 THEN 'green' ELSE 'grey' END
                          WHEN s.a IS NULL THEN s.no_data_light
                          WHEN s.fq >= 100.0 - 1e-9 THEN 'green'
                          WHEN s.fq >= 100.0 - s.tol - 1e-9 THEN 'yellow' ELSE 'red' END
                 WHEN s.e IS NULL THEN 'grey'
                 WHEN s.e < 1 THEN CASE WHEN s.a > 0 THEN 'green' ELSE 'grey' END
                 WHEN s.a IS NULL THEN s.no_data_light
                 WHEN s.q < s.crb THEN 'red' WHEN s.q < s.cyb THEN 'yellow' WHEN s.q < s.cbf THEN 'green'
                 ELSE 'blue' END
        WHEN 'rate' THEN
            CASE WHEN s.target_value IS NULL THEN 'grey'
                 WHEN s.a IS NULL THEN s.no_data_light
                 WHEN s.a >= s.target_value - 1e-9 THEN 'green'
                 WHEN s.a >= s.target_value - s.tol - 1e-9 THEN 'yellow'
                 ELSE 'red' END
        WHEN 'ceiling' THEN
            CASE WHEN s.target_value IS NULL THEN 'grey'
                 WHEN s.a IS NULL THEN s.no_data_light
                 WHEN s.a <= s.target_value + 1e-9 THEN 'green' ELSE 'red' END
        WHEN 'zero' THEN
            CASE WHEN s.a IS NULL THEN s.no_data_light WHEN s.a <= 1e-9 THEN 'green' ELSE 'red' END
        WHEN 'cost' THEN
            CASE WHEN s.cap IS NULL THEN 'grey'
                 WHEN s.cost_spent IS NULL THEN s.no_data_light
                 WHEN s.cost_spent <= 1e-9 THEN 'grey'
                 WHEN s.cost_spent > s.cap + 1e-9 THEN 'red'
                 WHEN s.cost_projection > s.cap + 1e-9 THEN 'yellow'
                 ELSE 'green' END
        WHEN 'deadline' THEN
            CASE WHEN s.done_by_date OR s.rating = '达成' THEN 'green'
                 WHEN s.as_of < s.due THEN 'grey' ELSE 'red' END
        ELSE
            CASE s.rating WHEN '达成' THEN 'green' WHEN '部分达成' THEN 'yellow' WHEN '未达成' THEN 'red'
                 ELSE CASE WHEN s.satisfaction THEN s.no_data_light ELSE 'grey' END END
        END AS base_light,
        CASE s.rule_kind
        WHEN 'count' THEN
            CASE WHEN s.full_due IS NOT NULL THEN
                     CASE WHEN s.target_value IS NULL THEN '指标值未量化（灰灯）'
                          WHEN s.not_due THEN
                              CASE WHEN s.a >= s.target_value - 1e-9
                                   THEN concat('实际', s.a_tu, '，', s.nat_label, '目标', s.t_t, s.u, '，已提前完成（绿灯）')
                                   WHEN s.nature = 'one_off'
                                   THEN concat('未到期：一次性指标，计划', printf('%d', s.full_due::INTEGER), '月完成（灰灯）')
                                   ELSE '未到期：集中开展指标，第四季度起评价（灰灯）' END
                          WHEN s.a IS NULL THEN s.no_data
                          ELSE concat('实际', s.a_tu, '，', s.nat_label, '目标', s.t_t, s.u, '，完成', printf('%.1f', s.fq), '%',
                                      CASE WHEN s.fq >= 100.0 - 1e-9 THEN '（达标 绿灯）'
                                           WHEN s.fq >= 100.0 - s.tol - 1e-9 THEN concat('（容差', s.tol_t, '个百分点以内 黄灯）')
                                           ELSE concat('（超出容差', s.tol_t, '个百分点 红灯）') END) END
                 WHEN s.e IS NULL THEN '指标值未量化，无法按进度评价（灰灯）'
                 WHEN s.e < 1 THEN
                     CASE WHEN s.a > 0
                          THEN concat('实际', s.a_tu, '，', s.basis, '应达', printf('%.2f', s.e), s.u, '，不足1', s.u, '未到期，已有完成（绿灯）')
                          ELSE concat('未到期：', s.basis, '应达', printf('%.2f', s.e), s.u, '，不足1', s.u, '（灰灯）') END
                 WHEN s.a IS NULL THEN s.no_data
                 ELSE concat('实际', s.a_tu, '，', s.basis, '应达', printf('%.1f', s.e), s.u, '，完成', printf('%.1f', s.q), '%（',
                             CASE WHEN s.q < s.crb THEN concat('<', s.crb_t, ' 红灯')
                                  WHEN s.q < s.cyb THEN concat(s.crb_t, '–', s.cyb_t, ' 黄灯')
                                  WHEN s.q < s.cbf THEN concat(s.cyb_t, '–', s.cbf_t, ' 绿灯')
                                  ELSE concat('≥', s.cbf_t, ' 蓝灯，远超进度') END, '）')
            END
        WHEN 'rate' THEN
            CASE WHEN s.target_value IS NULL THEN '指标值未量化（灰灯）'
                 WHEN s.a IS NULL THEN s.no_data
                 WHEN s.a >= s.target_value - 1e-9 THEN concat('实际', s.a_tu, '，目标', s.target_text, '（达标 绿灯）')
                 ELSE concat('实际', s.a_tu, '，目标', s.target_text, '，低于指标值',
                             rtrim(rtrim(printf('%.2f', s.target_value - s.a), '0'), '.'),
                             CASE WHEN s.u = '%' THEN '个百分点' ELSE s.u END,
                             CASE WHEN s.a >= s.target_value - s.tol - 1e-9 THEN concat('（容差', s.tol_t, '个百分点以内 黄灯）')
                                  ELSE concat('（超出容差', s.tol_t, '个百分点 红灯）') END)
            END
        WHEN 'ceiling' THEN
            CASE WHEN s.target_value IS NULL THEN '指标值未量化（灰灯）'
                 WHEN s.a IS NULL THEN s.no_data
                 WHEN s.a <= s.target_value + 1e-9 THEN concat('实际', s.a_tu, '，目标', s.target_text, '（未超上限 绿灯）')
                 ELSE concat('实际', s.a_tu, '，目标', s.target_text, '（超过上限 红灯）')
            END
        WHEN 'zero' THEN
            CASE WHEN s.a IS NULL THEN s.no_data
                 WHEN s.a <= 1e-9 THEN concat('实际', s.a_tu, '，目标', s.target_text, '（未发生 绿灯）')
                 ELSE concat('实际', s.a_tu, '，目标', s.target_text, '（已发生 红灯）')
            END
        WHEN 'cost' THEN
            CASE WHEN s.cap IS NULL THEN '成本上限未量化（灰灯）'
                 WHEN s.cost_spent IS NULL THEN s.no_data
                 WHEN s.cost_spent <= 1e-9 THEN concat('尚未支出：成本上限', printf('%.2f', s.cap), '万元（灰灯）')
                 WHEN s.cost_spent > s.cap + 1e-9
                     THEN concat('已支出', printf('%.2f', s.cost_spent), '万元，超过成本上限', printf('%.2f', s.cap), '万元（红灯）')
                 WHEN s.cost_projection > s.cap + 1e-9
                     THEN concat('已支出', printf('%.2f', s.cost_spent), '万元，全年预计', printf('%.2f', s.cost_projection),
                                 '万元（', s.cost_source, '），将超过成本上限', printf('%.2f', s.cap), '万元（黄灯）')
                 WHEN s.cost_projection IS NOT NULL
                     THEN concat('已支出', printf('%.2f', s.cost_spent), '万元，全年预计', printf('%.2f', s.cost_projection),
                                 '万元（', s.cost_source, '），未超成本上限', printf('%.2f', s.cap), '万元（绿灯）')
                 ELSE concat('已支出', printf('%.2f', s.cost_spent), '万元，未超成本上限', printf('%.2f', s.cap), '万元（绿灯）')
            END
        WHEN 'deadline' THEN
            CASE WHEN s.done_by_date THEN concat('已于', strftime(s.done_date, '%Y-%m-%d'), '完成，期限', strftime(s.due, '%Y-%m-%d'), '（绿灯）')
                 WHEN s.rating = '达成' THEN concat('负责人评价：已完成（达成），期限', strftime(s.due, '%Y-%m-%d'), '（绿灯）')
                 WHEN s.as_of < s.due THEN concat('未到期：期限', strftime(s.due, '%Y-%m-%d'), '，尚未完成（灰灯）')
                 ELSE concat('已到期未完成：期限', strftime(s.due, '%Y-%m-%d'), '（红灯）')
            END
        ELSE
            CASE s.rating WHEN '达成' THEN '负责人评价：达成（绿灯）'
                 WHEN '部分达成' THEN '负责人评价：部分达成（黄灯）'
                 WHEN '未达成' THEN '负责人评价：未达成（红灯）'
                 ELSE CASE WHEN s.satisfaction THEN s.no_data ELSE '待评：尚无负责人评价（灰灯）' END
            END
        END AS base_reason
    FROM scored s
)
SELECT b.indicator_id, i.department_id, dept.department_code, b.project_id, p.code AS project_code,
       p.name AS project_name, p.seq AS project_seq, i.sub_goal_id, sg.seq AS sub_goal_seq, sg.title AS sub_goal_title,
       i.seq, i.level1, i.level2, i.level3, i.description, i.target_text, i.kind, b.rule_kind, i.comparator,
       b.target_value, b.unit, i.deadline, b.due, b.satisfaction, b.milestone_based,
       CASE WHEN b.rule_kind = 'cost' THEN b.cost_spent ELSE b.a END AS actual,
       CASE b.rule_kind WHEN 'count' THEN b.e WHEN 'rate' THEN b.target_value WHEN 'ceiling' THEN b.target_value
            WHEN 'zero' THEN 0.0 WHEN 'cost' THEN b.cap END AS expected,
       CASE WHEN b.likelihood = '完全不可能' THEN 'red'
            WHEN b.likelihood = '有可能' AND b.base_light IN ('green', 'blue', 'grey') THEN 'yellow'
            ELSE b.base_light END AS light,
       CASE WHEN b.likelihood = '完全不可能' AND b.base_light <> 'red'
                THEN concat(b.base_reason, '；负责人判断完成目标可能性为“完全不可能”，调为红灯')
            WHEN b.likelihood = '有可能' AND b.base_light IN ('green', 'blue', 'grey')
                THEN concat(b.base_reason, '；负责人判断完成目标可能性为“有可能”，调为黄灯')
            ELSE b.base_reason END AS reason,
       b.result_id, b.result_as_of, b.done_date, b.rating, b.likelihood, b.projected_text, b.projected_value,
       b.cause_categories, b.cause_text, b.measure, b.note
FROM base b
JOIN indicators i ON i.id = b.indicator_id
JOIN dept ON dept.department_id = i.department_id
LEFT JOIN projects p ON p.id = b.project_id
LEFT JOIN sub_goals sg ON sg.id = i.sub_goal_id;

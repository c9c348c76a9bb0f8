-- engine/project_rollup: each project with its indicators rolled up: counts per light, the goal
-- light (worst indicator: red > yellow > green > blue; grey only when all are grey or there are
-- none), the combined light (worst of the spend light and the goal light) and the combined reason.
-- Reads the relations project_rows (the result of engine/project_status) and indicator_lights
-- (project_id, light: from engine/indicator_status), registered by perfwatch.status.engine_query.
-- No params. Returns project_rows' columns, then n_red, n_yellow, n_green, n_blue, n_grey,
--   n_indicators, goal_light, combined_light, reason; ordered like engine/project_status.
-- test-relations: {"project_rows": "engine/project_status", "indicator_lights": "engine/indicator_status"}
WITH counts AS (
    SELECT project_id,
           count(*) FILTER (WHERE light = 'red') AS n_red,
           count(*) FILTER (WHERE light = 'yellow') AS n_yellow,
           count(*) FILTER (WHERE light = 'green') AS n_green,
           count(*) FILTER (WHERE light = 'blue') AS n_blue,
           count(*) FILTER (WHERE light = 'grey') AS n_grey,
           count(*) AS n_indicators,
           max(CASE light WHEN 'red' THEN 4 WHEN 'yellow' THEN 3 WHEN 'green' THEN 2 WHEN 'blue' THEN 1 ELSE 0 END) AS goal_rank
    FROM indicator_lights
    WHERE project_id IS NOT NULL
    GROUP BY project_id
),
rolled AS (
    SELECT p.*,
           coalesce(c.n_red, 0) AS n_red, coalesce(c.n_yellow, 0) AS n_yellow, coalesce(c.n_green, 0) AS n_green,
           coalesce(c.n_blue, 0) AS n_blue, coalesce(c.n_grey, 0) AS n_grey,
           coalesce(c.n_indicators, 0) AS n_indicators,
           coalesce(c.goal_rank, 0) AS goal_rank,
           CASE p.execution_light WHEN 'red' THEN 4 WHEN 'yellow' THEN 3 WHEN 'green' THEN 2 WHEN 'blue' THEN 1 ELSE 0 END AS exec_rank,
           concat_ws('、',
               CASE WHEN c.n_red > 0 THEN '红灯' || c.n_red || '个' END,
               CASE WHEN c.n_yellow > 0 THEN '黄灯' || c.n_yellow || '个' END,
               CASE WHEN c.n_green > 0 THEN '绿灯' || c.n_green || '个' END,
               CASE WHEN c.n_blue > 0 THEN '蓝灯' || c.n_blue || '个' END,
               CASE WHEN c.n_grey > 0 THEN '灰灯' || c.n_grey || '个' END) AS counts_text
    FROM project_rows p LEFT JOIN counts c ON c.project_id = p.project_id
)
SELECT * EXCLUDE (goal_rank, exec_rank, counts_text),
       ['grey', 'blue', 'green', 'yellow', 'red'][goal_rank + 1] AS goal_light,
       ['grey', 'blue', 'green', 'yellow', 'red'][greatest(goal_rank, exec_rank) + 1] AS combined_light,
       concat('支出进度：', execution_reason, '；绩效指标：', CASE WHEN counts_text = '' THEN '无' ELSE counts_text END,
              '（目标灯', ['灰灯', '蓝灯', '绿灯', '黄灯', '红灯'][goal_rank + 1], '）') AS reason
FROM rolled
ORDER BY department_code, seq, code;

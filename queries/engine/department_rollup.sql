-- engine/department_rollup: per department, the sums of its projects and the counts of lights.
-- Reads the relations department_rows (the result of engine/departments), rolled_projects (the
-- result of engine/project_rollup) and indicator_lights (department_id, light: from
-- engine/indicator_status), registered by perfwatch.status.engine_query.
-- No params. Returns department_rows' columns, then n_projects, budget, spent, expected_amount
--   (Σ budget × expected_pct / 100), exec_<light> and projects_<light> (projects by execution and by
--   combined light), indicators_<light> (project and department-level indicators), n_indicators,
--   goal_light (worst indicator; grey only when all are grey); ordered by department code.
-- test-relations: {"department_rows": "engine/departments", "rolled_projects": "engine/project_rollup", "indicator_lights": "engine/indicator_status"}
WITH p AS (
    SELECT department_id, count(*) AS n_projects, sum(budget) AS budget, sum(spent) AS spent,
           sum(budget * expected_pct / 100) AS expected_amount,
           count(*) FILTER (WHERE execution_light = 'red') AS exec_red,
           count(*) FILTER (WHERE execution_light = 'yellow') AS exec_yellow,
           count(*) FILTER (WHERE execution_light = 'green') AS exec_green,
           count(*) FILTER (WHERE execution_light = 'blue') AS exec_blue,
           count(*) FILTER (WHERE execution_light = 'grey') AS exec_grey,
           count(*) FILTER (WHERE combined_light = 'red') AS projects_red,
           count(*) FILTER (WHERE combined_light = 'yellow') AS projects_yellow,
           count(*) FILTER (WHERE combined_light = 'green') AS projects_green,
           count(*) FILTER (WHERE combined_light = 'blue') AS projects_blue,
           count(*) FILTER (WHERE combined_light = 'grey') AS projects_grey
    FROM rolled_projects GROUP BY department_id
),
i AS (
    SELECT department_id,
           count(*) FILTER (WHERE light = 'red') AS indicators_red,
           count(*) FILTER (WHERE light = 'yellow') AS indicators_yellow,
           count(*) FILTER (WHERE light = 'green') AS indicators_green,
           count(*) FILTER (WHERE light = 'blue') AS indicators_blue,
           count(*) FILTER (WHERE light = 'grey') AS indicators_grey,
           count(*) AS n_indicators,
           max(CASE light WHEN 'red' THEN 4 WHEN 'yellow' THEN 3 WHEN 'green' THEN 2 WHEN 'blue' THEN 1 ELSE 0 END) AS goal_rank
    FROM indicator_lights GROUP BY department_id
),
d AS (SELECT * FROM department_rows)
SELECT d.*,
       coalesce(p.n_projects, 0) AS n_projects, coalesce(p.budget, 0.0) AS budget, coalesce(p.spent, 0.0) AS spent,
       coalesce(p.expected_amount, 0.0) AS expected_amount,
       coalesce(p.exec_red, 0) AS exec_red, coalesce(p.exec_yellow, 0) AS exec_yellow,
       coalesce(p.exec_green, 0) AS exec_green, coalesce(p.exec_blue, 0) AS exec_blue,
       coalesce(p.exec_grey, 0) AS exec_grey,
       coalesce(p.projects_red, 0) AS projects_red, coalesce(p.projects_yellow, 0) AS projects_yellow,
       coalesce(p.projects_green, 0) AS projects_green, coalesce(p.projects_blue, 0) AS projects_blue,
       coalesce(p.projects_grey, 0) AS projects_grey,
       coalesce(i.indicators_red, 0) AS indicators_red, coalesce(i.indicators_yellow, 0) AS indicators_yellow,
       coalesce(i.indicators_green, 0) AS indicators_green, coalesce(i.indicators_blue, 0) AS indicators_blue,
       coalesce(i.indicators_grey, 0) AS indicators_grey, coalesce(i.n_indicators, 0) AS n_indicators,
       ['grey', 'blue', 'green', 'yellow', 'red'][coalesce(i.goal_rank, 0) + 1] AS goal_light
FROM d
LEFT JOIN p ON p.department_id = d.department_id
LEFT JOIN i ON i.department_id = d.department_id
ORDER BY d.department_code;

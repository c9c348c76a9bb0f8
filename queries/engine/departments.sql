-- engine/departments: the departments in scope of a status computation, with time elapsed.
-- Params: $as_of (DATE); $fiscal_year (INTEGER, used when $department_id is NULL);
--   $department_id (BIGINT or NULL = every department of $fiscal_year).
-- Returns: department_id, department_code, department_name, fiscal_year, months (0–12, day d of
--   month m = m − 1 + d / days in month), time_pct (序时进度, 0–100).
WITH dept AS (
    SELECT d.id AS department_id, d.code AS department_code, d.name AS department_name, d.fiscal_year,
           pw_months_elapsed($as_of::DATE, d.fiscal_year) AS months
    FROM departments d
    WHERE CASE WHEN $department_id::BIGINT IS NULL THEN d.fiscal_year = $fiscal_year::INTEGER
               ELSE d.id = $department_id::BIGINT END
)
SELECT department_id, department_code, department_name, fiscal_year, months, 100.0 * months / 12 AS time_pct
FROM dept
ORDER BY department_code;

-- A department-year by unit code and fiscal year.
-- Params: $code, $fiscal_year. Returns (id, name, overall_goal, safeguards, source) or nothing.
SELECT id, name, overall_goal, safeguards, source
FROM departments WHERE code = $code AND fiscal_year = $fiscal_year;

-- Create a department-year; returns its id.
-- Params: $code, $name, $fiscal_year, $overall_goal, $safeguards, $source.
INSERT INTO departments (code, name, fiscal_year, overall_goal, safeguards, source)
VALUES ($code, $name, $fiscal_year, $overall_goal, $safeguards, $source)
RETURNING id;

-- Active projects of a department-year with the money-block columns of the monitoring form (万元).
-- Params: $department_id. Returns (id, seq, code, name, budget, fiscal_funds, carryover_funds,
-- other_funds).
SELECT id, seq, code, name, budget, fiscal_funds, carryover_funds, other_funds
FROM projects
WHERE department_id = $department_id AND NOT retired
ORDER BY seq, id;

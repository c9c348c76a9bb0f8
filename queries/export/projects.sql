-- Active projects of a department-year. Params: $department_id.
-- Returns (id, seq, code, name, budget, fiscal_funds, other_funds, carryover_funds, purpose).
SELECT id, seq, code, name, budget, fiscal_funds, other_funds, carryover_funds, purpose
FROM projects WHERE department_id = $department_id AND NOT retired ORDER BY seq, id;

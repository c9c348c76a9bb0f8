-- Projects of a department-year with their published fields.
-- Params: $department_id. Returns (id, code, seq, name, budget, fiscal_funds, other_funds,
-- carryover_funds, purpose, retired).
SELECT id, code, seq, name, budget, fiscal_funds, other_funds, carryover_funds, purpose, retired
FROM projects WHERE department_id = $department_id ORDER BY seq, id;

-- Create a project; returns its id. Params: $department_id, $seq, $code, $name, $budget,
-- $fiscal_funds, $other_funds, $carryover_funds, $purpose.
INSERT INTO projects (department_id, seq, code, name, budget, fiscal_funds, other_funds, carryover_funds, purpose)
VALUES ($department_id, $seq, $code, $name, $budget, $fiscal_funds, $other_funds, $carryover_funds, $purpose)
RETURNING id;

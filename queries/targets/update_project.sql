-- Update a project's published fields (and un-retire it). Params: $id, $seq, $name, $budget,
-- $fiscal_funds, $other_funds, $carryover_funds, $purpose.
UPDATE projects SET seq = $seq, name = $name, budget = $budget, fiscal_funds = $fiscal_funds,
    other_funds = $other_funds, carryover_funds = $carryover_funds, purpose = $purpose, retired = false
WHERE id = $id;

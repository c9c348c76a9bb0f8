-- Update a department-year's published texts. Params: $id, $name, $overall_goal, $safeguards, $source.
UPDATE departments SET name = $name, overall_goal = $overall_goal, safeguards = $safeguards, source = $source
WHERE id = $id;

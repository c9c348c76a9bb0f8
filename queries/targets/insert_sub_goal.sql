-- Create a sub-goal; returns its id. Params: $department_id, $seq, $title, $goal.
INSERT INTO sub_goals (department_id, seq, title, goal) VALUES ($department_id, $seq, $title, $goal)
RETURNING id;

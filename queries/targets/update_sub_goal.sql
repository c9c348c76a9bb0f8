-- Update a sub-goal. Params: $id, $title, $goal.
UPDATE sub_goals SET title = $title, goal = $goal WHERE id = $id;

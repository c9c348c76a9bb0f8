-- Create an indicator; returns its id. Params: $department_id, $project_id, $sub_goal_id, $seq,
-- $level1, $level2, $level3, $description, $target_text, $comparator, $value, $unit, $deadline, $kind, $basis, $nature.
-- test-params: {"sub_goal_id": null}
INSERT INTO indicators (department_id, project_id, sub_goal_id, seq, level1, level2, level3,
    description, target_text, comparator, value, unit, deadline, kind, basis, nature)
VALUES ($department_id, $project_id, $sub_goal_id, $seq, $level1, $level2, $level3,
    $description, $target_text, $comparator, $value, $unit, $deadline, $kind, $basis, $nature)
RETURNING id;

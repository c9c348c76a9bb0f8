-- Append a review state of one project's round. Params: $project_id, $as_of, $state, $comment,
-- $changed_by. Returns the new id.
-- test-params: {"state": "submitted"}
INSERT INTO round_states (project_id, as_of, state, comment, changed_by)
VALUES ($project_id, $as_of, $state, $comment, $changed_by)
RETURNING id;

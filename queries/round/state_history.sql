-- Every review step of one project's round, oldest first.
-- Params: $project_id, $as_of. Returns (id, state, comment, changed_by, changed_at).
SELECT id, state, comment, changed_by, changed_at
FROM round_states
WHERE project_id = $project_id AND as_of = $as_of
ORDER BY id;

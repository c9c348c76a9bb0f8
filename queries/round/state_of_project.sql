-- The current review state of one project's round (latest row for the pair); nothing = draft.
-- Params: $project_id, $as_of. Returns (id, state, comment, changed_by, changed_at).
SELECT id, state, comment, changed_by, changed_at
FROM round_states
WHERE project_id = $project_id AND as_of = $as_of
ORDER BY id DESC
LIMIT 1;

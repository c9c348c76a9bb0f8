-- Append a spend figure (万元) for one project and month; returns the new id.
-- Params: $project_id, $period, $amount, $source, $note, $entered_by.
INSERT INTO spend_entries (project_id, period, amount, source, note, entered_by)
VALUES ($project_id, $period, $amount, $source, $note, $entered_by)
RETURNING id;

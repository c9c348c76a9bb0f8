-- Every spend row of one project, newest first, with the figure it replaced (history of entries).
-- Params: $project_id. Returns (period, amount, previous, is_current, source, note, entered_by, entered_at).
SELECT s.period, s.amount,
       lag(s.amount) OVER (PARTITION BY s.period ORDER BY s.id) AS previous,
       s.id = max(s.id) OVER (PARTITION BY s.period) AS is_current,
       s.source, s.note, s.entered_by, s.entered_at
FROM spend_entries s
WHERE s.project_id = $project_id
ORDER BY s.id DESC;

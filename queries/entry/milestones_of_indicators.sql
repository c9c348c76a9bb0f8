-- The milestones of several indicators at once (cumulative value expected by the end of month).
-- Params: $indicator_ids (a list). Returns (indicator_id, month, value).
SELECT indicator_id, month, value FROM indicator_milestones
WHERE list_contains($indicator_ids, indicator_id)
ORDER BY indicator_id, month;

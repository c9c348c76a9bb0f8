-- An indicator's own milestones (cumulative value expected by the end of month).
-- Params: $indicator_id. Returns (month, value).
SELECT month, value FROM indicator_milestones WHERE indicator_id = $indicator_id ORDER BY month;

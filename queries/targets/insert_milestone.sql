-- One milestone: the cumulative value expected by the end of $month. Params: $indicator_id, $month, $value.
INSERT INTO indicator_milestones (indicator_id, month, value) VALUES ($indicator_id, $month, $value);

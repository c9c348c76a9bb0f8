-- One goal line. Params: $project_id, $seq, $text.
INSERT INTO goals (project_id, seq, text) VALUES ($project_id, $seq, $text);

-- 绩效目标 lines of a project. Params: $project_id. Returns (seq, text).
SELECT seq, text FROM goals WHERE project_id = $project_id ORDER BY seq;

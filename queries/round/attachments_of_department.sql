-- The 佐证材料 of every project of a department for the round $as_of (not removed), without content.
-- Params: $department_id, $as_of. Returns (id, project_id, project_code, indicator_id, level3,
-- file_name, media_type, size_bytes, sha256, uploaded_by, uploaded_at).
SELECT a.id, a.project_id, p.code AS project_code, a.indicator_id, i.level3, a.file_name, a.media_type,
       a.size_bytes, a.sha256, a.uploaded_by, a.uploaded_at
FROM attachments a
JOIN projects p ON p.id = a.project_id
LEFT JOIN indicators i ON i.id = a.indicator_id
WHERE p.department_id = $department_id AND a.as_of = $as_of AND NOT coalesce(a.removed, false)
ORDER BY p.seq, a.id;

-- The 佐证材料 of one project's round (not removed), without their content, oldest first.
-- Params: $project_id, $as_of. Returns (id, indicator_id, level3, file_name, media_type, size_bytes,
-- sha256, uploaded_by, uploaded_at); level3 is NULL for files attached to the declaration.
SELECT a.id, a.indicator_id, i.level3, a.file_name, a.media_type, a.size_bytes, a.sha256, a.uploaded_by,
       a.uploaded_at
FROM attachments a
LEFT JOIN indicators i ON i.id = a.indicator_id
WHERE a.project_id = $project_id AND a.as_of = $as_of AND NOT coalesce(a.removed, false)
ORDER BY a.id;

-- One attachment with its content. Params: $id.
-- Returns (id, project_id, indicator_id, as_of, file_name, media_type, size_bytes, sha256, content,
-- uploaded_by, uploaded_at, removed) or nothing.
SELECT id, project_id, indicator_id, as_of, file_name, media_type, size_bytes, sha256, content, uploaded_by,
       uploaded_at, coalesce(removed, false)
FROM attachments
WHERE id = $id;

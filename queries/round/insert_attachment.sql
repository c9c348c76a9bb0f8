-- Append a 佐证材料 file. Params: $project_id, $indicator_id, $as_of, $file_name, $media_type,
-- $size_bytes, $sha256, $content, $uploaded_by. Returns the new id.
-- test-params: {"size_bytes": 3, "indicator_id": null}
INSERT INTO attachments (project_id, indicator_id, as_of, file_name, media_type, size_bytes, sha256, content,
                         uploaded_by)
VALUES ($project_id, $indicator_id, $as_of, $file_name, $media_type, $size_bytes, $sha256, $content, $uploaded_by)
RETURNING id;

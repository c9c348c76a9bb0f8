-- Every project (any year, retired too) with a code. Params: $code. Returns (id).
SELECT id FROM projects WHERE code = $code ORDER BY id;

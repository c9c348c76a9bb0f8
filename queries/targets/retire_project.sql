-- Mark a project retired (it vanished from a re-import; its actuals stay). Params: $id.
UPDATE projects SET retired = true WHERE id = $id;

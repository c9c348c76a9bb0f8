-- Mark an indicator retired (it vanished from a re-import; its results stay). Params: $id.
UPDATE indicators SET retired = true WHERE id = $id;

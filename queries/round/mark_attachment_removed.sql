-- Flag an attachment removed (its content stays in the table and the audit log names who removed it).
-- Params: $id.
UPDATE attachments SET removed = true WHERE id = $id;

-- Claim the first-administrator slot (settings.key is the primary key, so only one transaction can).
-- Params: $value (JSON: who claimed it).
-- test-params: {"value": "{\"username\": \"admin\"}"}
INSERT INTO settings (key, value, updated_by) VALUES ('first_admin_created', $value, 'system');

-- Disable or re-enable an account. Params: $id, $disabled.
UPDATE users SET disabled = $disabled WHERE id = $id;

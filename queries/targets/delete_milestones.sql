-- Remove an indicator's milestones before writing the new set (the old set is kept in the audit row).
-- Params: $indicator_id.
DELETE FROM indicator_milestones WHERE indicator_id = $indicator_id;

-- Update an indicator in place (and un-retire it). Params: $id, $seq, $description, $target_text,
-- $comparator, $value, $unit, $deadline, $kind, $basis, $nature.
UPDATE indicators SET seq = $seq, description = $description, target_text = $target_text,
    comparator = $comparator, value = $value, unit = $unit, deadline = $deadline, kind = $kind,
    basis = $basis, nature = $nature, retired = false
WHERE id = $id;

-- Set an indicator's count nature. Params: $id, $nature (flow/stock/one_off/scheduled).
UPDATE indicators SET nature = $nature WHERE id = $id;

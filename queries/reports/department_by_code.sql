-- Department-years with a unit code (or every department when $code is NULL), newest year first.
-- Params: $code. Returns (id, code, name, fiscal_year).
SELECT id, code, name, fiscal_year
FROM departments
WHERE $code IS NULL OR code = $code
ORDER BY fiscal_year DESC, code;

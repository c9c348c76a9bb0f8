-- Active projects of every department-year by code, for loading demo actuals.
-- No params. Returns (id, code, department_id).
SELECT id, code, department_id FROM projects WHERE NOT retired ORDER BY id;

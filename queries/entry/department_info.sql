-- One department-year. Params: $department_id. Returns (id, code, name, fiscal_year) or nothing.
SELECT id, code, name, fiscal_year FROM departments WHERE id = $department_id;

-- Live indicators of a department (by code; the latest fiscal year when $fiscal_year is NULL) with a
-- published sequence number, of one project (by code) or department-level ($project_code NULL).
-- Params: $department_code, $fiscal_year (INTEGER or NULL), $project_code (or NULL), $seq.
-- Returns (id, fiscal_year, project_id, level3, kind, nature), the latest year first.
-- test-params: {"department_code": "315001", "fiscal_year": null, "project_code": null, "seq": 1}
SELECT i.id, d.fiscal_year, i.project_id, i.level3, i.kind, i.nature
FROM indicators i
JOIN departments d ON d.id = i.department_id
LEFT JOIN projects p ON p.id = i.project_id
WHERE d.code = $department_code
  AND ($fiscal_year::INTEGER IS NULL OR d.fiscal_year = $fiscal_year::INTEGER)
  AND (CASE WHEN $project_code::VARCHAR IS NULL THEN i.project_id IS NULL ELSE p.code = $project_code::VARCHAR END)
  AND i.seq = $seq AND NOT i.retired AND NOT coalesce(p.retired, false)
ORDER BY d.fiscal_year DESC, i.id;

-- Active projects of a department-year with budget (万元), plan as text and indicator count.
-- Params: $department_id. Returns (id, seq, code, name, budget, fiscal_funds, other_funds,
-- purpose, plan, indicators).
SELECT p.id, p.seq, p.code, p.name, p.budget, p.fiscal_funds, p.other_funds, p.purpose,
       (SELECT string_agg(c.month || '月' || rtrim(rtrim(CAST(c.pct AS VARCHAR), '0'), '.') || '%', ' ' ORDER BY c.month)
          FROM plan_checkpoints c WHERE c.project_id = p.id) AS plan,
       (SELECT count(*) FROM indicators i WHERE i.project_id = p.id AND NOT i.retired) AS indicators
FROM projects p
WHERE p.department_id = $department_id AND NOT p.retired
ORDER BY p.seq, p.id;

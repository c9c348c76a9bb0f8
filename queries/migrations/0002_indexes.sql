-- 0002_indexes: point lookups of the write path at county scale.
-- The write path reads "the current row" of an append-only table before appending (old value for
-- the audit log and conflict checks); these keys make that a lookup instead of a scan. Only
-- append-only tables are indexed: DuckDB indexes turn updates into delete+insert.
CREATE INDEX idx_spend_project_period ON spend_entries (project_id, period);
CREATE INDEX idx_results_indicator_asof ON indicator_results (indicator_id, as_of);
CREATE INDEX idx_reports_project_asof ON project_reports (project_id, as_of);

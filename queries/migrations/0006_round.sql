-- 0006_round: a complete monitoring round -- what owners declare per project, the review of each
-- project's round (填报中 -> 已提交 -> 已审核 / 已退回) and 佐证材料 (attached files).
-- All three are append-only (attachments are only flagged removed, never deleted); no foreign keys
-- (DuckDB cannot update referenced rows). Written only through perfwatch.declarations /
-- perfwatch.review / perfwatch.attachments via perfwatch.store.transaction (authorised, audited).

-- The owner's declaration per round: projected_amount = 全年预计执行数 (万元), progress_text =
-- 项目总体目标 1–N月执行情况, plus 支出偏差原因 (categories + sentence) and 纠偏措施. The latest row per
-- project with as_of <= the reporting date wins; as_of is the round's reporting date (a month end).
ALTER TABLE project_reports ADD COLUMN cause_categories VARCHAR[];
ALTER TABLE project_reports ADD COLUMN cause_text VARCHAR;
ALTER TABLE project_reports ADD COLUMN measure VARCHAR;

CREATE SEQUENCE seq_round_state_id START 1;
CREATE SEQUENCE seq_attachment_id START 1;

-- Review state of one project's round (project_id, as_of = reporting month end). The latest row per
-- (project_id, as_of) is current; no row = draft (填报中).
CREATE TABLE round_states (
    id          BIGINT PRIMARY KEY DEFAULT nextval('seq_round_state_id'),
    project_id  BIGINT NOT NULL,
    as_of       DATE NOT NULL,
    state       VARCHAR NOT NULL CHECK (state IN ('draft', 'submitted', 'approved', 'returned')),
    comment     VARCHAR,
    changed_by  VARCHAR NOT NULL,
    changed_at  TIMESTAMP DEFAULT current_timestamp
);

-- 佐证材料: a file attached to a project's declaration (indicator_id NULL) or to one indicator's
-- reported value, for the round as_of. Content checked by its first bytes, hashed (sha256).
CREATE TABLE attachments (
    id           BIGINT PRIMARY KEY DEFAULT nextval('seq_attachment_id'),
    project_id   BIGINT NOT NULL,
    indicator_id BIGINT,
    as_of        DATE,
    file_name    VARCHAR,
    media_type   VARCHAR,
    size_bytes   BIGINT,
    sha256       VARCHAR,
    content      BLOB,
    uploaded_by  VARCHAR NOT NULL,
    uploaded_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    removed      BOOLEAN DEFAULT false
);

CREATE INDEX idx_round_states_project ON round_states (project_id, as_of);
CREATE INDEX idx_attachments_project ON attachments (project_id, as_of);

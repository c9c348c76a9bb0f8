-- 0008: department attributes the forms need beyond the targets document (outputs).
-- 主管部门 (supervising department) name and code, editable, append-only: the latest row per
-- department is current, older rows are the history (every write also leaves an audit row).
-- The report settings (basis line of the brief, the 调减/收回 suggestion threshold) live in the
-- settings table under the keys report.basis_line and report.cut_threshold_pct (no schema needed).
CREATE SEQUENCE seq_department_attribute_id START 1;

CREATE TABLE department_attributes (
    id               BIGINT PRIMARY KEY DEFAULT nextval('seq_department_attribute_id'),
    department_id    BIGINT NOT NULL,
    supervisor_name  VARCHAR,                -- 主管部门, e.g. 巨鹿县司法局
    supervisor_code  VARCHAR,                -- 主管部门代码, e.g. 315
    changed_by       VARCHAR NOT NULL,
    changed_at       TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- 0001_initial: the core store.
-- Departments per fiscal year, their projects, plans, goals and indicators (the published
-- targets), and the append-only actuals: spend, project reports and indicator results.
-- Every change is also written to audit_log by perfwatch.store (the one write path).
-- No FOREIGN KEY clauses: DuckDB refuses to UPDATE a row that another table references, and
-- targets are updated in place on re-import; perfwatch.store keeps references consistent.

CREATE SEQUENCE seq_department_id START 1;
CREATE SEQUENCE seq_sub_goal_id START 1;
CREATE SEQUENCE seq_project_id START 1;
CREATE SEQUENCE seq_goal_id START 1;
CREATE SEQUENCE seq_indicator_id START 1;
CREATE SEQUENCE seq_spend_id START 1;
CREATE SEQUENCE seq_result_id START 1;
CREATE SEQUENCE seq_report_id START 1;
CREATE SEQUENCE seq_audit_id START 1;

-- One row per department (unit code) and fiscal year.
CREATE TABLE departments (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_department_id'),
    code          VARCHAR NOT NULL,          -- unit code, e.g. 315001
    name          VARCHAR NOT NULL,          -- e.g. 巨鹿县司法局本级
    fiscal_year   INTEGER NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    overall_goal  VARCHAR,                   -- 总体绩效目标
    safeguards    VARCHAR,                   -- 工作保障措施
    source        VARCHAR,                   -- file the targets came from
    UNIQUE (code, fiscal_year)
);

-- 分项绩效目标 of the department-level part.
CREATE TABLE sub_goals (
    id             BIGINT PRIMARY KEY DEFAULT nextval('seq_sub_goal_id'),
    department_id  BIGINT NOT NULL,
    seq            INTEGER NOT NULL,         -- 1, 2, 3 ... as published
    title          VARCHAR NOT NULL,         -- e.g. 组织推进依法行政水平整体提升
    goal           VARCHAR,                  -- its 绩效目标 sentence
    UNIQUE (department_id, seq)
);

-- Budget projects (预算项目). Amounts in 万元.
CREATE TABLE projects (
    id             BIGINT PRIMARY KEY DEFAULT nextval('seq_project_id'),
    department_id  BIGINT NOT NULL,
    seq            INTEGER NOT NULL,         -- order in the published document
    code           VARCHAR NOT NULL,         -- 项目编码, e.g. 13052924P00584012128B
    name           VARCHAR NOT NULL,
    budget         DECIMAL(18, 2) NOT NULL CHECK (budget >= 0),   -- 预算数
    fiscal_funds   DECIMAL(18, 2) NOT NULL DEFAULT 0,             -- 其中：财政资金
    other_funds    DECIMAL(18, 2) NOT NULL DEFAULT 0,             -- 其他资金
    carryover_funds DECIMAL(18, 2) NOT NULL DEFAULT 0,            -- 上年结转资金
    purpose        VARCHAR,                  -- 资金用途
    retired        BOOLEAN NOT NULL DEFAULT false,
    UNIQUE (department_id, code)
);

-- Cumulative spending plan: pct (0-100) of the budget spent by the end of month.
CREATE TABLE plan_checkpoints (
    project_id  BIGINT NOT NULL,
    month       INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    pct         DECIMAL(6, 2) NOT NULL CHECK (pct >= 0 AND pct <= 100),
    PRIMARY KEY (project_id, month)
);

-- 绩效目标 lines of a project.
CREATE TABLE goals (
    id          BIGINT PRIMARY KEY DEFAULT nextval('seq_goal_id'),
    project_id  BIGINT NOT NULL,
    seq         INTEGER NOT NULL,
    text        VARCHAR NOT NULL,
    UNIQUE (project_id, seq)
);

-- Indicators of a project (project_id set) or of a department sub-goal (sub_goal_id set).
-- target_text is the value exactly as published; comparator/value/unit/deadline/kind are parsed.
CREATE TABLE indicators (
    id             BIGINT PRIMARY KEY DEFAULT nextval('seq_indicator_id'),
    department_id  BIGINT NOT NULL,
    project_id     BIGINT,
    sub_goal_id    BIGINT,
    seq            INTEGER NOT NULL,
    level1         VARCHAR,                  -- 一级指标: 产出指标 / 效益指标 / 满意度指标
    level2         VARCHAR,                  -- 二级指标: 数量指标 ...
    level3         VARCHAR NOT NULL,         -- 三级指标
    description    VARCHAR,                  -- 绩效指标描述
    target_text    VARCHAR NOT NULL,         -- 指标值 as published, e.g. "≥100 件"
    comparator     VARCHAR NOT NULL CHECK (comparator IN ('>=', '<=', '=', 'deadline', 'qualitative')),
    value          DOUBLE,
    unit           VARCHAR,
    deadline       DATE,
    kind           VARCHAR NOT NULL CHECK (kind IN ('count', 'rate', 'ceiling', 'zero', 'cost', 'deadline', 'qualitative')),
    basis          VARCHAR,                  -- 指标值确定依据
    retired        BOOLEAN NOT NULL DEFAULT false,
    CHECK ((project_id IS NULL) <> (sub_goal_id IS NULL))
);

-- Optional milestones of an indicator (cumulative value expected by the end of month),
-- replacing pro-rating (e.g. a training planned for Q4).
CREATE TABLE indicator_milestones (
    indicator_id  BIGINT NOT NULL,
    month         INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    value         DOUBLE NOT NULL,
    PRIMARY KEY (indicator_id, month)
);

-- Actual spend, append-only: amount (万元, six decimals = exact to the 分 for exports in 元)
-- spent in the month starting at period.
-- The current figure for (project, period) is the row with the highest id.
CREATE TABLE spend_entries (
    id          BIGINT PRIMARY KEY DEFAULT nextval('seq_spend_id'),
    project_id  BIGINT NOT NULL,
    period      DATE NOT NULL,               -- first day of the month
    amount      DECIMAL(18, 6) NOT NULL,
    source      VARCHAR,                     -- 'grid', file name ...
    note        VARCHAR,
    entered_by  VARCHAR NOT NULL,
    entered_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- The owner's project-level report per reporting date (append-only, latest row wins):
-- 全年预计执行数 and the 年度总体目标 1–N月执行情况 text of the monitoring form.
CREATE TABLE project_reports (
    id                BIGINT PRIMARY KEY DEFAULT nextval('seq_report_id'),
    project_id        BIGINT NOT NULL,
    as_of             DATE NOT NULL,
    projected_amount  DECIMAL(18, 2),        -- 全年预计执行数 (万元)
    progress_text     VARCHAR,
    entered_by        VARCHAR NOT NULL,
    entered_at        TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Indicator results per reporting date (append-only, latest row per indicator and as_of wins).
CREATE TABLE indicator_results (
    id                BIGINT PRIMARY KEY DEFAULT nextval('seq_result_id'),
    indicator_id      BIGINT NOT NULL,
    as_of             DATE NOT NULL,         -- the reporting date the value is "to date" of
    value             DOUBLE,                -- number / percentage achieved to date
    done_date         DATE,                  -- for deadline indicators: when it was done
    rating            VARCHAR CHECK (rating IS NULL OR rating IN ('达成', '部分达成', '未达成')),
    projected_text    VARCHAR,               -- 全年预计完成情况
    projected_value   DOUBLE,
    cause_categories  VARCHAR[],             -- 经费保障/制度保障/人员保障/硬件条件保障/其他
    cause_text        VARCHAR,
    likelihood        VARCHAR CHECK (likelihood IS NULL OR likelihood IN ('确定能', '有可能', '完全不可能')),
    measure           VARCHAR,               -- 纠偏措施
    note              VARCHAR,
    entered_by        VARCHAR NOT NULL,
    entered_at        TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Everything written through perfwatch.store: who, when, what, old, new.
CREATE TABLE audit_log (
    id         BIGINT PRIMARY KEY DEFAULT nextval('seq_audit_id'),
    changed_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    actor      VARCHAR NOT NULL,
    action     VARCHAR NOT NULL,             -- e.g. spend.record, targets.import
    entity     VARCHAR NOT NULL,             -- table name
    entity_id  VARCHAR,
    old_value  JSON,
    new_value  JSON
);

-- Tunable rules (thresholds, light rule); value is JSON.
CREATE TABLE settings (
    key         VARCHAR PRIMARY KEY,
    value       JSON NOT NULL,
    updated_by  VARCHAR NOT NULL,
    updated_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

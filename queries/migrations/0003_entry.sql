-- 0003_entry: data entry — period locks and entry batches (for "undo the last save").
-- Both tables are append-only (no updates, no deletes); no foreign keys (DuckDB cannot update
-- referenced rows). Written only through perfwatch.entry via perfwatch.store.transaction.

CREATE SEQUENCE seq_period_lock_id START 1;
CREATE SEQUENCE seq_entry_batch_id START 1;

-- Lock state of one reporting month of a department. The latest row per
-- (department_id, period) is current; no row = open. Locked months refuse spend for that month
-- and indicator results whose as_of date falls in it.
CREATE TABLE period_locks (
    id             BIGINT PRIMARY KEY DEFAULT nextval('seq_period_lock_id'),
    department_id  BIGINT NOT NULL,
    period         DATE NOT NULL,            -- first day of the month
    locked         BOOLEAN NOT NULL,
    changed_by     VARCHAR NOT NULL,
    changed_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    note           VARCHAR
);

-- One save of the grid, one form submit or one file import: the unit "undo the last save" undoes.
-- kind: spend (rows in spend_entries) or result (rows in indicator_results).
-- undoes: the batch this one reverted (NULL for ordinary saves).
CREATE TABLE entry_batches (
    id             BIGINT PRIMARY KEY DEFAULT nextval('seq_entry_batch_id'),
    kind           VARCHAR NOT NULL CHECK (kind IN ('spend', 'result')),
    department_id  BIGINT NOT NULL,
    source         VARCHAR,                  -- 'grid', 'form', file name ...
    created_by     VARCHAR NOT NULL,
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    undoes         BIGINT
);

-- The rows a batch appended (ids in spend_entries or indicator_results, per the batch kind).
CREATE TABLE entry_batch_rows (
    batch_id  BIGINT NOT NULL,
    row_id    BIGINT NOT NULL
);

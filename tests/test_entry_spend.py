"""Spend entry against a real DuckDB file: imports without double counting, validation, budget
confirmation, locks, undo, conflicts and the audit trail."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from perfwatch import db, entry, store
from perfwatch.importers.spend import parse_spend

FIXTURES = Path(__file__).parent / "fixtures"
FINANCE = store.Actor("张会计", "finance")
ADMIN = store.Actor("管理员", "admin")
OWNER = store.Actor("李科长", "owner")
TODAY = dt.date(2024, 8, 15)  # fiscal year 2024 is running: months after August are future


def ids(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {p.code: p.id for p in entry.projects_all(conn)}


def month_totals(conn: duckdb.DuckDBPyConnection) -> dict[tuple[str, int], Decimal]:
    """Current spend per (code, month), read straight from the table."""
    rows = conn.execute(
        "SELECT p.code, month(s.period), s.amount FROM spend_entries s JOIN projects p ON p.id = s.project_id "
        "WHERE s.id IN (SELECT max(id) FROM spend_entries GROUP BY project_id, period)").fetchall()
    return {(c, m): a for c, m, a in rows}


def spend_rows(conn: duckdb.DuckDBPyConnection) -> int:
    return conn.execute("SELECT count(*) FROM spend_entries").fetchone()[0]


def do_import(conn: duckdb.DuckDBPyConnection, data: bytes, name: str = "f.csv", **kw: object) -> entry.SaveResult:
    plan = entry.plan_spend_import(conn, parse_spend(data, name, unit=kw.pop("unit", None)), today=TODAY)  # type: ignore[arg-type]
    return entry.commit_spend_import(conn, FINANCE, plan, today=TODAY, **kw)  # type: ignore[arg-type]


def dept(conn: duckdb.DuckDBPyConnection) -> int:
    return int(conn.execute("SELECT id FROM departments").fetchone()[0])


# ------------------------------------------------------------------ import and re-import


def test_import_sums_transactions_per_month_in_wan(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that transaction rows in 元 become monthly totals in 万元, exact to the 分 (2500.50 元)."""
    result = do_import(mini_db, (FIXTURES / "spend_transactions.csv").read_bytes())
    assert result.written == 3
    assert month_totals(mini_db) == {("P001", 3): Decimal("1.50"), ("P001", 4): Decimal("0.25005"),
                                     ("P002", 4): Decimal("2.00")}


def test_reimporting_the_same_file_never_double_counts(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that importing the same file twice leaves the totals and writes nothing the second time."""
    data = (FIXTURES / "spend_transactions.csv").read_bytes()
    do_import(mini_db, data)
    before, n = month_totals(mini_db), spend_rows(mini_db)
    again = do_import(mini_db, data)
    assert again.written == 0 and again.unchanged == 3
    assert month_totals(mini_db) == before and spend_rows(mini_db) == n


def test_later_export_replaces_the_months_it_covers(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a later export covering the same months replaces them, keeps other months, and
    keeps the old values in history."""
    do_import(mini_db, (FIXTURES / "spend_transactions.csv").read_bytes())
    later = "project_code,date,amount\nP001,2024-03-05,10000\nP001,2024-03-20,5000\nP001,2024-03-28,3000\n" \
            "P001,2024-05-02,1000\n"
    do_import(mini_db, later.encode())
    totals = month_totals(mini_db)
    assert totals[("P001", 3)] == Decimal("1.80")    # replaced: 10000 + 5000 + 3000 元
    assert totals[("P001", 4)] == Decimal("0.25005")  # not in the later file: kept (2500.50 元)
    assert totals[("P001", 5)] == Decimal("0.10")    # new month
    history = entry.spend_history(mini_db, dept(mini_db))
    march = history[(history["项目编码"] == "P001") & (history["月份"] == "2024年3月")]
    assert list(march["新数（万元）"]) == [1.80, 1.50] and list(march["当前值"]) == [True, False]


def test_import_warns_about_projects_missing_from_covered_months(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a figure of a covered month that the file does not mention is kept and reported."""
    do_import(mini_db, b"project_code,date,amount\nP001,2024-04,100\nP002,2024-04,200\n")
    plan = entry.plan_spend_import(mini_db, parse_spend(b"project_code,date,amount\nP001,2024-04,300\n", "g.csv"),
                                   today=TODAY)
    assert any("P002" in w and "保持不变" in w for w in plan.warnings)


def test_period_totals_in_wan_and_quarters(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test Chinese period totals in 万元, and that a quarter total replaces its three months."""
    do_import(mini_db, (FIXTURES / "spend_totals_cn.csv").read_bytes(), "spend_totals_cn.csv")
    assert month_totals(mini_db)[("P001", 3)] == Decimal("1.80")
    do_import(mini_db, "项目编码,支出日期,支出金额\nP001,2024年第二季度,9000\n".encode(), unit="元")
    totals = month_totals(mini_db)
    assert (totals[("P001", 4)], totals[("P001", 5)], totals[("P001", 6)]) == (0, 0, Decimal("0.90"))


# ------------------------------------------------------------------ validation: nothing partially written


@pytest.mark.parametrize(
    ("csv", "column", "message"),
    [
        ("P999,2024-03-05,100", "project_code", "未知的项目编码 P999"),           # unknown code
        ("P001,2023-12-30,100", "date", "不在项目 P001 的预算年度"),               # outside the fiscal year
        ("P001,2024-09-01,100", "date", "在未来"),                               # future (today 2024-08-15)
        ("P001,2024-09,100", "date", "尚未开始"),                                # future month total
        # A refund row may be negative, but not below the month's other spend (100): -500 is refused.
        ("P001,2024-03-05,-500", "amount", "负数"),                              # month total negative
        ("P001,2024-03-05,十元", "amount", "不是数字"),                            # non-numeric
    ],
)
def test_a_bad_row_refuses_the_whole_file(mini_db: duckdb.DuckDBPyConnection, csv: str, column: str, message: str) -> None:
    """Test that one bad row is reported with file, row and column and nothing at all is written."""
    data = f"project_code,date,amount\nP001,2024-03-01,100\n{csv}\n".encode()
    plan = entry.plan_spend_import(mini_db, parse_spend(data, "upload.csv"), today=TODAY)
    assert len(plan.errors) == 1
    err = plan.errors[0]
    assert (err.file, err.row, err.column) == ("upload.csv", 3, column) and message in err.message
    with pytest.raises(entry.EntryValidationError, match="未导入任何数据"):
        entry.commit_spend_import(mini_db, FINANCE, plan, today=TODAY)
    assert spend_rows(mini_db) == 0


def test_duplicate_rows_refuse_the_file(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a duplicated row is an error and nothing is written."""
    data = b"project_code,date,amount\nP001,2024-03-01,100\nP001,2024-03-01,100\n"
    plan = entry.plan_spend_import(mini_db, parse_spend(data, "dup.csv"), today=TODAY)
    assert [e.row for e in plan.errors] == [3]
    with pytest.raises(entry.EntryValidationError):
        entry.commit_spend_import(mini_db, FINANCE, plan, today=TODAY)
    assert spend_rows(mini_db) == 0


def test_project_of_another_department_is_refused_on_the_page(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that with a department chosen, codes of other departments are refused."""
    other = mini_db.execute("INSERT INTO departments (code, name, fiscal_year) VALUES ('900002', '别的局', 2024) "
                            "RETURNING id").fetchone()[0]
    data = b"project_code,date,amount\nP001,2024-03-01,100\n"
    plan = entry.plan_spend_import(mini_db, parse_spend(data, "x.csv"), department_id=other, today=TODAY)
    assert [(e.row, e.column) for e in plan.errors] == [(2, "project_code")]
    assert "不属于所选部门 900002 别的局" in plan.errors[0].message


def test_spend_beyond_budget_needs_explicit_confirmation(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that spend beyond the budget warns in the preview, is refused without confirmation
    (nothing written) and saved with it, the confirmation audited."""
    data = b"project_code,date,amount\nP001,2024-03-01,120000\n"  # 12 万元 > budget 10
    plan = entry.plan_spend_import(mini_db, parse_spend(data, "big.csv"), today=TODAY)
    assert not plan.errors and plan.over_budget and "超过预算 10.00 万元" in plan.over_budget[0]
    with pytest.raises(entry.OverBudgetError, match="超过预算"):
        entry.commit_spend_import(mini_db, FINANCE, plan, today=TODAY)
    assert spend_rows(mini_db) == 0
    entry.commit_spend_import(mini_db, FINANCE, plan, today=TODAY, confirm_over_budget=True)
    assert month_totals(mini_db)[("P001", 3)] == Decimal("12.00")
    assert mini_db.execute("SELECT count(*) FROM audit_log WHERE action = 'spend.over_budget_confirmed'").fetchone()[0] == 1


def test_grid_save_refuses_negative_and_future_months(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that save_spend refuses a negative amount and a future month, writing nothing."""
    p = ids(mini_db)["P001"]
    bad = [entry.SpendChange(p, dt.date(2024, 3, 1), Decimal("1"), None),
           entry.SpendChange(p, dt.date(2024, 4, 1), Decimal("-1"), None)]
    with pytest.raises(entry.EntryValidationError, match="负数"):
        entry.save_spend(mini_db, FINANCE, bad, today=TODAY)
    with pytest.raises(entry.EntryValidationError, match="未来"):
        entry.save_spend(mini_db, FINANCE, [entry.SpendChange(p, dt.date(2024, 10, 1), Decimal("1"), None)], today=TODAY)
    assert spend_rows(mini_db) == 0


def test_owner_may_not_record_spend(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that the permission check applies (spend.record is finance's)."""
    p = ids(mini_db)["P001"]
    with pytest.raises(store.PermissionDenied):
        entry.save_spend(mini_db, OWNER, [entry.SpendChange(p, dt.date(2024, 3, 1), Decimal(1), None)], today=TODAY)


# ------------------------------------------------------------------ grid


def test_grid_changes_monthly_and_quarterly(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that edited grid cells become changes: months directly, a quarter into its latest begun month."""
    grid = entry.spend_grid(mini_db, dept(mini_db))
    frame = grid.frame()
    frame.loc[0, "3月"] = 1.5
    changes = entry.grid_changes(grid, frame, today=TODAY)
    assert [(c.period.month, c.amount, c.base_id) for c in changes] == [(3, Decimal("1.50"), None)]
    entry.save_spend(mini_db, FINANCE, changes, today=TODAY)

    grid = entry.spend_grid(mini_db, dept(mini_db))
    q = grid.frame(quarterly=True)
    assert q.loc[0, "一季度"] == 1.5
    q.loc[0, "一季度"] = 4.0                 # 1.5 already in March: March becomes 4.0
    q.loc[0, "三季度"] = 2.0                 # Q3 begun in July/August: goes to August (today 2024-08-15)
    changes = entry.grid_changes(grid, q, quarterly=True, today=TODAY)
    assert [(c.period.month, c.amount) for c in changes] == [(3, Decimal("4.00")), (8, Decimal("2.00"))]
    assert changes[0].base_id is not None


def test_grid_refuses_non_numeric_and_negative_cells(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that bad cells are reported by project and column."""
    grid = entry.spend_grid(mini_db, dept(mini_db))
    frame = grid.frame().astype({"3月": object, "4月": object})
    frame.loc[0, "3月"] = "abc"
    frame.loc[1, "4月"] = -2
    with pytest.raises(entry.EntryValidationError) as info:
        entry.grid_changes(grid, frame, today=TODAY)
    assert any("P001 甲项目 3月" in m and "不是数字" in m for m in info.value.messages)
    assert any("P002 乙项目 4月" in m and "负数" in m for m in info.value.messages)


def test_editable_columns_exclude_future_and_locked_months(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that the grid only offers open months that have begun."""
    entry.set_lock(mini_db, FINANCE, dept(mini_db), [dt.date(2024, 1, 1)], True)
    grid = entry.spend_grid(mini_db, dept(mini_db))
    assert grid.editable_columns(TODAY) == [f"{m}月" for m in range(2, 9)]


# ------------------------------------------------------------------ locks


def test_locked_month_refuses_edits_and_imports(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that finance locks a month, edits and imports of it are refused, and only admin unlocks."""
    d, p = dept(mini_db), ids(mini_db)["P001"]
    assert entry.set_lock(mini_db, FINANCE, d, [dt.date(2024, 3, 1)], True) == 1
    with pytest.raises(entry.LockedError, match="已锁定"):
        entry.save_spend(mini_db, FINANCE, [entry.SpendChange(p, dt.date(2024, 3, 1), Decimal(1), None)], today=TODAY)
    plan = entry.plan_spend_import(mini_db, parse_spend(b"project_code,date,amount\nP001,2024-03-02,1\n", "l.csv"),
                                   today=TODAY)
    assert "已锁定" in plan.errors[0].message
    with pytest.raises(store.PermissionDenied):
        entry.set_lock(mini_db, FINANCE, d, [dt.date(2024, 3, 1)], False)
    assert entry.set_lock(mini_db, ADMIN, d, [dt.date(2024, 3, 1)], False) == 1
    entry.save_spend(mini_db, FINANCE, [entry.SpendChange(p, dt.date(2024, 3, 1), Decimal(1), None)], today=TODAY)
    actions = [r[0] for r in mini_db.execute(
        "SELECT action FROM audit_log WHERE entity = 'period_locks' ORDER BY id").fetchall()]
    assert actions == ["period.lock", "period.unlock"]
    assert [r[0] for r in mini_db.execute("SELECT locked FROM period_locks ORDER BY id").fetchall()] == [True, False]


def test_leader_cannot_lock(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a leader may not lock a month."""
    with pytest.raises(store.PermissionDenied):
        entry.set_lock(mini_db, store.Actor("领导", "leader"), dept(mini_db), [dt.date(2024, 3, 1)], True)


# ------------------------------------------------------------------ undo and history


def test_undo_last_save_appends_rows_restoring_previous_values(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that undoing an import appends rows with the earlier values (0 where there was none),
    deletes nothing, is audited, and cannot be undone twice."""
    d = dept(mini_db)
    do_import(mini_db, b"project_code,date,amount\nP001,2024-03,10000\n")
    do_import(mini_db, b"project_code,date,amount\nP001,2024-03,30000\nP002,2024-03,5000\n", "second.csv")
    n = spend_rows(mini_db)
    last = entry.last_undoable(mini_db, d, "spend")
    assert last is not None and last.source == "文件:second.csv" and last.rows == 2
    result = entry.undo_batch(mini_db, FINANCE, last.batch_id)
    assert result.written == 2 and spend_rows(mini_db) == n + 2
    totals = month_totals(mini_db)
    assert totals[("P001", 3)] == Decimal("1.00") and totals[("P002", 3)] == 0
    assert mini_db.execute("SELECT count(*) FROM audit_log WHERE action = 'spend.undo'").fetchone()[0] == 2
    with pytest.raises(entry.EntryValidationError, match="已经撤销"):
        entry.undo_batch(mini_db, FINANCE, last.batch_id)
    # the next undo goes one step further back
    nxt = entry.last_undoable(mini_db, d, "spend")
    assert nxt is not None and nxt.batch_id < last.batch_id
    entry.undo_batch(mini_db, FINANCE, nxt.batch_id)
    assert month_totals(mini_db)[("P001", 3)] == 0


def test_undo_one_cell(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that undoing one cell restores its previous value."""
    p = ids(mini_db)["P001"]
    first = entry.save_spend(mini_db, FINANCE, [entry.SpendChange(p, dt.date(2024, 3, 1), Decimal(1), None)], today=TODAY)
    assert first.written == 1
    row1 = mini_db.execute("SELECT max(id) FROM spend_entries").fetchone()[0]
    entry.save_spend(mini_db, FINANCE, [entry.SpendChange(p, dt.date(2024, 3, 1), Decimal(2), row1)], today=TODAY)
    row2 = mini_db.execute("SELECT max(id) FROM spend_entries").fetchone()[0]
    entry.undo_spend_cell(mini_db, FINANCE, p, dt.date(2024, 3, 1), row2)
    assert month_totals(mini_db)[("P001", 3)] == Decimal("1.00")
    with pytest.raises(entry.ConflictError):  # row2 is no longer current
        entry.undo_spend_cell(mini_db, FINANCE, p, dt.date(2024, 3, 1), row2)


def test_undo_refused_when_changed_since(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that undoing a save whose figure someone changed afterwards is a conflict, nothing written."""
    d, p = dept(mini_db), ids(mini_db)["P001"]
    do_import(mini_db, b"project_code,date,amount\nP001,2024-03,10000\n")
    batch = entry.last_undoable(mini_db, d, "spend")
    assert batch is not None
    current = mini_db.execute("SELECT max(id) FROM spend_entries").fetchone()[0]
    entry.save_spend(mini_db, store.Actor("王出纳", "finance"),
                     [entry.SpendChange(p, dt.date(2024, 3, 1), Decimal(3), current)], today=TODAY)
    n = spend_rows(mini_db)
    with pytest.raises(entry.ConflictError, match="王出纳"):
        entry.undo_batch(mini_db, FINANCE, batch.batch_id)
    assert spend_rows(mini_db) == n


# ------------------------------------------------------------------ concurrent edits


def test_second_save_of_the_same_figure_sees_the_conflict(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that two people editing the same month from the same grid: the second save raises
    ConflictError naming who changed it and when, and does not overwrite."""
    d = dept(mini_db)
    entry.save_spend(mini_db, FINANCE, [entry.SpendChange(ids(mini_db)["P001"], dt.date(2024, 3, 1), Decimal(1), None)],
                     today=TODAY)
    grid_a = entry.spend_grid(mini_db, d)
    grid_b = entry.spend_grid(mini_db, d)
    fa, fb = grid_a.frame(), grid_b.frame()
    fa.loc[0, "3月"] = 2.0
    fb.loc[0, "3月"] = 5.0
    entry.save_spend(mini_db, store.Actor("王出纳", "finance"), entry.grid_changes(grid_a, fa, today=TODAY), today=TODAY)
    with pytest.raises(entry.ConflictError) as info:
        entry.save_spend(mini_db, FINANCE, entry.grid_changes(grid_b, fb, today=TODAY), today=TODAY)
    assert info.value.changed_by == "王出纳" and info.value.changed_at is not None
    assert "王出纳" in str(info.value) and "2.00" in str(info.value)
    assert month_totals(mini_db)[("P001", 3)] == Decimal("2.00")


def test_first_entry_conflict_when_both_start_from_empty(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that two people entering a month that had no figure: the second sees the first's."""
    p = ids(mini_db)["P002"]
    entry.save_spend(mini_db, FINANCE, [entry.SpendChange(p, dt.date(2024, 5, 1), Decimal(1), None)], today=TODAY)
    with pytest.raises(entry.ConflictError):
        entry.save_spend(mini_db, FINANCE, [entry.SpendChange(p, dt.date(2024, 5, 1), Decimal(7), None)], today=TODAY)


# ------------------------------------------------------------------ audit


def test_every_change_is_audited_with_old_and_new(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that audit_log holds who, the old value and the new value of each change."""
    p = ids(mini_db)["P001"]
    entry.save_spend(mini_db, FINANCE, [entry.SpendChange(p, dt.date(2024, 3, 1), Decimal(1), None)], today=TODAY)
    row = mini_db.execute("SELECT max(id) FROM spend_entries").fetchone()[0]
    entry.save_spend(mini_db, FINANCE, [entry.SpendChange(p, dt.date(2024, 3, 1), Decimal("2.5"), row)], today=TODAY)
    audits = mini_db.execute("SELECT actor, action, old_value, new_value FROM audit_log "
                             "WHERE entity = 'spend_entries' ORDER BY id").fetchall()
    assert [a[0] for a in audits] == ["张会计", "张会计"] and audits[0][2] is None
    assert json.loads(audits[1][2])["amount"] == 1.0 and json.loads(audits[1][3])["amount"] == 2.5


def test_the_database_file_survives_reopening(tmp_path: Path, mini_data: dict) -> None:
    """Test that imported spend is in the file after closing and reopening it."""
    from perfwatch import dataset

    path = tmp_path / "real.duckdb"
    conn = db.open_database(path)
    dataset.load_targets(conn, store.SYSTEM, mini_data)
    do_import(conn, (FIXTURES / "spend_transactions.csv").read_bytes())
    conn.close()
    conn = db.open_database(path)
    assert month_totals(conn)[("P001", 3)] == Decimal("1.50")
    conn.close()


def test_unit_plausibility_flags_a_wan_file_read_as_yuan() -> None:
    """Test that totals below 1/1000 or above 10× the budgets are flagged, with the other unit's reading."""
    from decimal import Decimal

    from perfwatch.entry.spend_import import unit_plausibility

    # 1.5 万元 read as 元 = 0.00015 万元 against a 72 万元 budget: 0.000002 of it (hand).
    msg = unit_plausibility(Decimal("0.00015"), Decimal("72"), "元")
    assert msg is not None and "不到千分之一" in msg and "若单位为“万元”，合计应为 1.50 万元" in msg
    # 15,000 元 read as 万元 = 15,000 万元 against 72 万元: over 10× (hand).
    msg = unit_plausibility(Decimal("15000"), Decimal("72"), "万元")
    assert msg is not None and "超过 10 倍" in msg and "合计应为 1.50 万元" in msg
    assert unit_plausibility(Decimal("1.5"), Decimal("72"), "万元") is None
    assert unit_plausibility(Decimal("0.072"), Decimal("72"), "万元") is None  # exactly 1/1000: plausible

"""Plausibility limits (issue 16 item 2): absurd figures are refused on every save path (not just
confirmed), the database is unchanged on refusal, and reports stay finite for any stored value."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import duckdb
import pytest

from perfwatch import backup, entry, limits, store
from perfwatch.entry import (
    EntryValidationError,
    OverBudgetError,
    ResultInput,
    SpendChange,
)
from perfwatch.reports import briefing, data
from perfwatch.store import ValidationError

TODAY = dt.date(2024, 12, 31)


def _p1(conn: duckdb.DuckDBPyConnection) -> tuple[int, Decimal]:
    pid, budget = conn.execute("SELECT id, budget FROM projects WHERE code = 'P001'").fetchone()
    return int(pid), Decimal(str(budget))


def test_spend_of_1e15_is_refused_everywhere(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that the probe's 1e15 万元 spend is refused by the store, the grid and the grid parser, writing nothing."""
    pid, _ = _p1(mini_db)
    before = backup.snapshot(mini_db)
    with pytest.raises(ValidationError, match="上限|倍"):
        entry.record_spend(mini_db, store.SYSTEM, pid, dt.date(2024, 3, 1), "1e15")
    with pytest.raises(EntryValidationError, match="上限"):
        entry.save_spend(mini_db, store.SYSTEM, [SpendChange(pid, dt.date(2024, 3, 1), Decimal("1e15"), None)],
                         confirm_over_budget=True, today=TODAY)
    problems: list[str] = []
    from perfwatch.entry.grid import _cell_amount

    assert _cell_amount("100000000000", "3月", problems) is None and "上限" in problems[0]
    assert backup.snapshot(mini_db) == before


def test_ten_times_the_budget_is_refused_even_when_confirmed(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a month above 10× budget is refused with confirm; 5× budget only asks for confirmation."""
    pid, budget = _p1(mini_db)  # P001: budget 10.00 万元 (mini fixture)
    assert budget == Decimal(10)
    before = backup.snapshot(mini_db)
    with pytest.raises(EntryValidationError, match="10 倍"):
        entry.save_spend(mini_db, store.SYSTEM, [SpendChange(pid, dt.date(2024, 3, 1), Decimal("100.01"), None)],
                         confirm_over_budget=True, today=TODAY)
    assert backup.snapshot(mini_db) == before
    with pytest.raises(OverBudgetError):
        entry.save_spend(mini_db, store.SYSTEM, [SpendChange(pid, dt.date(2024, 3, 1), Decimal(50), None)],
                         today=TODAY)
    saved = entry.save_spend(mini_db, store.SYSTEM, [SpendChange(pid, dt.date(2024, 3, 1), Decimal(50), None)],
                             confirm_over_budget=True, today=TODAY)
    assert saved.written == 1
    # Three months of 50 = 150 > 10 × 10: the year total is refused too (months 4 and 5 not written).
    base = mini_db.execute("SELECT max(id) FROM spend_entries").fetchone()[0]
    assert base
    with pytest.raises(EntryValidationError, match="全年支出合计"):
        entry.save_spend(mini_db, store.SYSTEM, [SpendChange(pid, dt.date(2024, 4, 1), Decimal(50), None),
                                                 SpendChange(pid, dt.date(2024, 5, 1), Decimal(50), None)],
                         confirm_over_budget=True, today=TODAY)
    assert mini_db.execute("SELECT count(*) FROM spend_entries").fetchone()[0] == 1


def test_limit_is_a_setting(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that an admin may raise the multiple (clamped to a sane range)."""
    store.set_setting(mini_db, store.Actor("a", "admin"), limits.SETTING_KEY, {"spend_budget_multiple": 20})
    assert limits.load(mini_db).spend_budget_multiple == 20
    assert limits.from_setting({"spend_budget_multiple": 1e9}).spend_budget_multiple == 1000
    assert limits.from_setting({"spend_budget_multiple": "x"}) == limits.DEFAULTS


@pytest.mark.parametrize(("value", "is_percent", "target", "refused"), [
    (1e308, False, 100, True),    # the probe's value
    (1e20, False, None, True),
    (1001, False, 100, True),     # above 10 × target (hand: 10 × 100 = 1000)
    (1000, False, 100, False),
    (100.5, True, 90, True),      # a rate above 100
    (100, True, 90, False),
    (300, True, 120, False),      # target above 100 (e.g. 120%): up to 10 × target
])
def test_result_values_are_bounded_by_kind(value: float, is_percent: bool, target: float | None, refused: bool) -> None:
    """Test the result bounds: rates 0–100 unless the target is higher, counts below 10× target, nothing ≥ 1e9."""
    problem = limits.result_problem(value, is_percent=is_percent, target=target)
    assert (problem is not None) == refused, problem


def test_result_of_1e308_is_refused_by_the_entry_check(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that the 指标填报 check refuses 1e308 for a count indicator (≥100 件)."""
    ind = next(i for i in entry.indicators_all(mini_db) if i.level3 == "办案数量")
    problems = entry.validate_result(ind, ResultInput(ind.id, dt.date(2024, 7, 31), value=1e308), today=TODAY)
    assert any(f == "value" and "上限" in m for f, m in problems), problems
    with pytest.raises(ValidationError):
        entry.record_result(mini_db, store.SYSTEM, ind.id, dt.date(2024, 7, 31), value=1e12)


def test_briefing_with_an_absurd_stored_figure_finishes(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a 1e15 spend already in the file (written before the limits) gives a PDF quickly."""
    pid, _ = _p1(mini_db)
    mini_db.execute("INSERT INTO spend_entries (project_id, period, amount, source, entered_by) "
                    "VALUES (?, DATE '2024-03-01', 1e11, 'legacy', 'x')", [pid])
    out: list[bytes] = []
    worker = threading.Thread(target=lambda: out.append(briefing.build_pdf(data.build_report(mini_db, 1, 7))))
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "briefing PDF still running after 60 s"
    assert out and out[0].startswith(b"%PDF")


def test_nice_ticks_are_bounded() -> None:
    """Test that the axis helper gives at most 9 round ticks for any top value."""
    for top in (0, 100, 180, 1e15, float("inf"), float("nan")):
        axis, ticks = limits.nice_ticks(top)
        assert len(ticks) <= 9 and ticks[0] == 0 and ticks[-1] == axis and axis >= 100
    assert limits.nice_ticks(100) == (100, [0, 20, 40, 60, 80, 100])

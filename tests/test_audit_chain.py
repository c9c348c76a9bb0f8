"""Audit you can trust (issue 16 item 8): each audit row carries the hash of the row before it;
`verify-audit` and the 操作日志 page name every row changed, removed or inserted outside the app."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from perfwatch import audit_chain, db, entry, store
from perfwatch.cli import main


@pytest.fixture
def logged(mini_db: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The mini dataset plus four spend writes (each an audit row)."""
    pid = mini_db.execute("SELECT id FROM projects WHERE code = 'P001'").fetchone()[0]
    for month in (1, 2, 3, 4):
        entry.record_spend(mini_db, store.SYSTEM, pid, dt.date(2024, month, 1), month, confirm_over_budget=True)
    return mini_db


def _ids(conn: duckdb.DuckDBPyConnection) -> list[int]:
    return [r[0] for r in conn.execute("SELECT id FROM audit_log ORDER BY id").fetchall()]


def test_untouched_log_verifies(logged: duckdb.DuckDBPyConnection) -> None:
    """Test that every row written through the app is chained and the check finds nothing."""
    report = audit_chain.verify(logged)
    assert report.ok, report.problems
    assert report.rows == report.sealed == len(_ids(logged)) > 4
    first = logged.execute("SELECT prev_hash FROM audit_log ORDER BY id LIMIT 1").fetchone()[0]
    assert first == audit_chain.GENESIS


def test_changed_row_is_named(logged: duckdb.DuckDBPyConnection) -> None:
    """Test that editing one row's new value outside the app is reported with that row's number."""
    victim = _ids(logged)[-2]
    logged.execute("UPDATE audit_log SET new_value = '{\"amount\": 0}' WHERE id = ?", [victim])
    report = audit_chain.verify(logged)
    assert not report.ok and any(f"第 {victim} 条" in p and "修改" in p for p in report.problems), report.problems


@pytest.mark.parametrize("which", ["middle", "last"])
def test_removed_row_is_reported(logged: duckdb.DuckDBPyConnection, which: str) -> None:
    """Test that deleting a row in the middle (or the newest row) outside the app is reported."""
    ids = _ids(logged)
    victim = ids[len(ids) // 2] if which == "middle" else ids[-1]
    logged.execute("DELETE FROM audit_log WHERE id = ?", [victim])
    report = audit_chain.verify(logged)
    assert not report.ok
    assert any("删除" in p for p in report.problems), report.problems


def test_verify_audit_command(logged: duckdb.DuckDBPyConnection, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test that `python -m perfwatch verify-audit` exits 0 on a clean log and 1, naming the row, after an edit."""
    path = tmp_path / "chain.duckdb"
    conn = db.open_database(path)
    import json

    from perfwatch import dataset
    dataset.load_targets(conn, store.SYSTEM, json.loads((Path(__file__).parent / "fixtures" / "mini.targets.json").read_text(encoding="utf-8")))
    victim = _ids(conn)[0]
    conn.close()
    assert main(["verify-audit", "--db", str(path)]) == 0
    assert "操作日志完整" in capsys.readouterr().out
    raw = duckdb.connect(str(path))
    raw.execute("UPDATE audit_log SET actor = 'someone-else' WHERE id = ?", [victim])
    raw.close()
    assert main(["verify-audit", "--db", str(path)]) == 1
    out = capsys.readouterr().out
    assert "异常" in out and f"第 {victim} 条" in out

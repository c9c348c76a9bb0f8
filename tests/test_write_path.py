"""The one write path (issue 11 item 3): authorisation of every project touched, the process write
lock, amounts that cannot be misread, and a failed COMMIT reported as itself."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import duckdb
import pytest

from perfwatch import backup, entry, store
from perfwatch.store import Actor, PermissionDenied, ValidationError

AS_OF = dt.date(2024, 6, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,500.00", Decimal("1500.00")),        # thousands separator
        ("1,234,567.89", Decimal("1234567.89")),
        ("1.5", Decimal("1.50")),
        ("12", Decimal("12.00")),
    ],
)
def test_amounts_with_thousands_separators_are_read(text: str, expected: Decimal) -> None:
    """Test that amounts written with thousands separators are read as written."""
    assert store.parse_amount(text, "支出金额") == expected


@pytest.mark.parametrize("text", ["1,5", "1,50", "12,34.5", "1,2345", ",5", "1,,500"])
def test_ambiguous_commas_are_refused(text: str) -> None:
    """Test that "1,5" (1.5 or 15?) is refused with a Chinese message, never stored as 15."""
    with pytest.raises(ValidationError, match="含义不明"):
        store.parse_amount(text, "支出金额")


def test_ambiguous_amount_writes_nothing(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a spend of "1,5" through the user path is refused and the database is unchanged."""
    p1 = mini_db.execute("SELECT id FROM projects WHERE code = 'P001'").fetchone()[0]  # type: ignore[index]
    before = backup.snapshot(mini_db)
    with pytest.raises(ValidationError, match="含义不明"):
        entry.record_spend(mini_db, store.SYSTEM, p1, dt.date(2024, 3, 1), "1,5")
    assert backup.snapshot(mini_db) == before


def test_every_project_of_a_save_is_authorised(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that an owner of P001 saving results for P001 and P002 together is refused whole."""
    ids = dict(mini_db.execute("SELECT code, id FROM projects").fetchall())
    ind = dict(mini_db.execute("SELECT project_id, min(id) FROM indicators GROUP BY project_id").fetchall())
    owner = Actor("张三", "owner", frozenset({ids["P001"]}))
    before = backup.snapshot(mini_db)
    inputs = [
        entry.ResultInput(ind[ids["P001"]], AS_OF, value=60, cause_text="原因", measure="措施", check_base=False),
        # The second indicator belongs to P002: the owner may not report it.
        entry.ResultInput(ind[ids["P002"]], AS_OF, value=5, check_base=False),
    ]
    with pytest.raises(PermissionDenied, match="不是该项目的负责人"):
        entry.save_results(mini_db, owner, inputs, today=dt.date(2024, 7, 1))
    assert backup.snapshot(mini_db) == before


def test_a_write_holds_the_process_write_lock(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that while one write runs, another thread cannot take the write lock."""
    got: list[bool] = []
    with store.transaction(mini_db, store.SYSTEM, "settings.update"):
        t = threading.Thread(target=lambda: got.append(store.WRITE_LOCK.acquire(timeout=0.05)))
        t.start()
        t.join()
    assert got == [False]
    assert store.WRITE_LOCK.acquire(timeout=1)
    store.WRITE_LOCK.release()


class _FailingCommitCursor:
    """A cursor whose COMMIT fails the way DuckDB does when it has already aborted the transaction."""

    def __init__(self) -> None:
        self.closed = False

    def begin(self) -> None:
        pass

    def commit(self) -> None:
        raise duckdb.TransactionException("TransactionContext Error: Failed to commit: write-write conflict")

    def rollback(self) -> None:
        raise duckdb.TransactionException("TransactionContext Error: cannot rollback - no transaction is active")

    def close(self) -> None:
        self.closed = True


class _Conn:
    def __init__(self) -> None:
        self.cur = _FailingCommitCursor()

    def cursor(self) -> Any:
        return self.cur


def test_a_failed_commit_surfaces_its_own_error() -> None:
    """Test that a failed COMMIT is reported as the conflict it is, not as "no transaction is active"."""
    conn = _Conn()
    with pytest.raises(duckdb.TransactionException, match="write-write conflict"):
        with store.transaction(conn, store.SYSTEM, "settings.update"):  # type: ignore[arg-type]
            pass
    assert conn.cur.closed


def test_an_error_in_the_body_survives_a_failing_rollback() -> None:
    """Test that the body's own error is raised even when the rollback after it fails too."""
    conn = _Conn()
    with pytest.raises(ValidationError, match="原始错误"):
        with store.transaction(conn, store.SYSTEM, "settings.update"):  # type: ignore[arg-type]
            raise ValidationError("原始错误")

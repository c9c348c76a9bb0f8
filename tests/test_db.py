"""The store: paths, migrations applied exactly once, and unusable files reported, never touched."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from perfwatch import db


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_db_path_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Test that --db beats $PERFWATCH_DB, which beats data/perfwatch.duckdb."""
    monkeypatch.setenv(db.ENV_DB, str(tmp_path / "env.duckdb"))
    assert db.resolve_db_path(tmp_path / "cli.duckdb") == tmp_path / "cli.duckdb"
    assert db.resolve_db_path(None) == tmp_path / "env.duckdb"
    monkeypatch.delenv(db.ENV_DB)
    assert db.resolve_db_path(None) == db.REPO_ROOT / "data" / "perfwatch.duckdb"


def test_migrations_apply_once(tmp_path: Path) -> None:
    """Test that migrating twice applies each migration once and changes nothing the second time."""
    path = tmp_path / "m.duckdb"
    conn = db.connect(path)
    first = db.migrate(conn, path)
    assert [m.version for m in first] == [m.version for m in db.migrations()]
    assert db.migrate(conn, path) == []
    rows = conn.execute("SELECT version, count(*) FROM schema_migrations GROUP BY version").fetchall()
    assert all(n == 1 for _, n in rows) and len(rows) == len(db.migrations())
    conn.close()


def test_migration_numbers_are_contiguous() -> None:
    """Test that migrations are numbered 1..N without gaps, so the order is unambiguous."""
    versions = [m.version for m in db.migrations()]
    assert versions == list(range(1, len(versions) + 1))


def test_newer_schema_is_refused_and_file_untouched(tmp_path: Path) -> None:
    """Test that a database from a newer perfwatch gives a clear message and is not modified."""
    path = tmp_path / "new.duckdb"
    conn = db.open_database(path)
    conn.execute("INSERT INTO schema_migrations (version, name) VALUES (9999, 'future')")
    conn.close()
    before = _digest(path)
    with pytest.raises(db.DatabaseError) as err:
        db.open_database(path)
    assert err.value.reason == "newer_schema" and "升级" in err.value.message
    assert _digest(path) == before


def test_corrupt_file_is_reported_not_overwritten(tmp_path: Path) -> None:
    """Test that a file that is not a DuckDB database is reported and left byte-for-byte as it was."""
    path = tmp_path / "corrupt.duckdb"
    path.write_bytes(b"this is not a database\x00" * 500)
    before = _digest(path)
    with pytest.raises(db.DatabaseError) as err:
        db.open_database(path)
    assert err.value.reason == "corrupt" and str(path) in err.value.message
    assert _digest(path) == before


def test_directory_instead_of_file(tmp_path: Path) -> None:
    """Test that a directory given as the database path gives a message, not a traceback."""
    with pytest.raises(db.DatabaseError) as err:
        db.open_database(tmp_path)
    assert "目录" in err.value.message


def test_locked_file_names_the_holder(tmp_path: Path) -> None:
    """Test that a file held read-write by another process is reported as 占用 with its PID."""
    path = tmp_path / "locked.duckdb"
    db.open_database(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys
            c = duckdb.connect({str(path)!r})
            print('ready', flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"ready"
        with pytest.raises(db.DatabaseError) as err:
            db.open_database(path)
        assert err.value.reason == "locked"
        assert "占用" in err.value.message and str(holder.pid) in err.value.message
    finally:
        holder.kill()
        holder.wait()


def test_query_requires_its_parameters(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a query missing a $param fails loudly instead of binding NULL."""
    with pytest.raises(KeyError):
        db.query(mini_db, "department_projects", {})
    assert len(db.query(mini_db, "department_projects", {"department_id": 1, "unused": 5})) == 2


def test_a_migration_missing_in_the_middle_is_applied(tmp_path: Path) -> None:
    """Test that a database which skipped a migration number (added later) still gets it."""
    path = tmp_path / "gap.duckdb"
    conn = db.open_database(path)
    conn.execute("DELETE FROM schema_migrations WHERE version = 2")
    conn.execute("DROP INDEX idx_spend_project_period")
    conn.execute("DROP INDEX idx_results_indicator_asof")
    conn.execute("DROP INDEX idx_reports_project_asof")
    applied = db.migrate(conn, path)
    assert [m.version for m in applied] == [2]
    assert conn.execute("SELECT count(*) FROM duckdb_indexes() WHERE index_name = 'idx_spend_project_period'").fetchone()[0] == 1
    conn.close()

"""Cached reads are keyed by a data version that every write bumps and no read changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from perfwatch import dataset, db, store


def test_data_version_moves_with_writes_only(tmp_path: Path, mini_data: dict[str, Any]) -> None:
    """Test that the data version is unchanged by reads and changes after a write (targets import)."""
    conn = db.open_database(tmp_path / "v.duckdb")
    before = db.query(conn, "data_version")[0]
    assert tuple(before) == (0, 0)  # fresh file: no audit rows yet
    db.query(conn, "departments")
    assert db.query(conn, "data_version")[0] == before  # a read does not bump it
    dataset.load_targets(conn, store.SYSTEM, mini_data)
    after = db.query(conn, "data_version")[0]
    assert after[0] > before[0] and after[1] > before[1]
    conn.close()

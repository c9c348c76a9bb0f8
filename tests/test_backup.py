"""Backup and restore: a consistent copy that comes back identical, into a new file only."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from perfwatch import auth, backup, db, entry, store
from perfwatch.store import Actor, ValidationError

ADMIN = Actor("admin", "admin")
AS_OF = dt.date(2024, 7, 31)


@pytest.fixture
def full_db(mini_db: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The mini dataset plus something in every kind of table: users, assignments, sign-in attempts,
    spend, reports, results with a list column, settings and the audit log (JSON)."""
    auth.create_first_admin(mini_db, "admin", "backup-test-pw")
    auth.create_user(mini_db, ADMIN, "zhang", "owner", "backup-test-pw", "张三", ["P001"])
    try:
        auth.authenticate(mini_db, "zhang", "wrong-password")
    except auth.AuthError:
        pass
    p1 = mini_db.execute("SELECT id FROM projects WHERE code = 'P001'").fetchone()[0]
    ind = mini_db.execute("SELECT min(id) FROM indicators WHERE project_id = ?", [p1]).fetchone()[0]
    entry.record_spend(mini_db, store.SYSTEM, p1, dt.date(2024, 3, 1), "1.25", note="三月")
    entry.record_spend(mini_db, store.SYSTEM, p1, dt.date(2024, 3, 1), "2.50", note="更正")
    entry.record_project_report(mini_db, store.SYSTEM, p1, AS_OF, projected_amount=9.99, progress_text="进展顺利")
    entry.record_result(mini_db, store.SYSTEM, ind, AS_OF, value=42.5, cause_categories=["经费保障", "其他"],
                        cause_text="原因", likelihood="有可能", measure="加快进度",
                        projected_text="预计全年完成")
    store.set_setting(mini_db, ADMIN, "thresholds", {"green": 0.9, "名称": "阈值"})
    return mini_db


def test_backup_then_restore_gives_identical_data(full_db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Test that every table's rows in the restored file equal the original's at backup time."""
    before = backup.snapshot(full_db)
    result = backup.create_backup(full_db, ADMIN, tmp_path / "bk", now=dt.datetime(2024, 8, 1, 17, 30, 5))
    assert result.path.name == "perfwatch-20240801-173005"
    manifest = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == db.migrations()[-1].version
    assert manifest["tables"] == {k: len(v) for k, v in before.items()}
    assert all(n > 0 for k, n in manifest["tables"].items() if k in ("users", "spend_entries", "audit_log"))

    counts = backup.restore_backup(result.path, tmp_path / "restored.duckdb")
    assert counts == manifest["tables"]
    restored = db.open_database(tmp_path / "restored.duckdb")
    try:
        assert backup.snapshot(restored) == before
        # Sequences continue after the restored ids: new rows do not collide.
        p1 = restored.execute("SELECT id FROM projects WHERE code = 'P001'").fetchone()[0]
        new_id = entry.record_spend(restored, store.SYSTEM, p1, dt.date(2024, 4, 1), 1)
        assert new_id > max(r[0] for r in before["spend_entries"])
        assert auth.authenticate(restored, "zhang", "backup-test-pw").project_ids == frozenset({p1})
    finally:
        restored.close()


def test_backup_is_recorded_and_audited(full_db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Test that the last backup (for the admins' reminder) and an audit row are written."""
    assert backup.last_backup(full_db) is None
    assert backup.backup_is_stale(None, dt.datetime(2024, 8, 1))
    at = dt.datetime(2024, 8, 1, 9, 0)
    result = backup.create_backup(full_db, ADMIN, tmp_path / "bk", now=at)
    last = backup.last_backup(full_db)
    assert last is not None and last[0] == at and last[1] == str(result.path.resolve()) and last[2] == "admin"
    assert not backup.backup_is_stale(at, at + dt.timedelta(days=7))
    assert backup.backup_is_stale(at, at + dt.timedelta(days=7, seconds=1))
    assert full_db.execute("SELECT count(*) FROM audit_log WHERE action = 'backup.create'").fetchone()[0] == 1


def test_two_backups_in_one_second_do_not_collide(full_db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Test that a second backup in the same second gets its own directory."""
    at = dt.datetime(2024, 8, 1, 9, 0)
    a = backup.create_backup(full_db, ADMIN, tmp_path, now=at)
    b = backup.create_backup(full_db, ADMIN, tmp_path, now=at)
    assert a.path != b.path and (a.path / "manifest.json").exists() and (b.path / "manifest.json").exists()
    assert not list(tmp_path.glob("*.partial"))


def test_restore_never_overwrites_an_existing_file(full_db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Test that restoring onto an existing file is refused and leaves that file untouched."""
    result = backup.create_backup(full_db, ADMIN, tmp_path / "bk")
    existing = tmp_path / "existing.duckdb"
    existing.write_bytes(b"precious")
    with pytest.raises(ValidationError, match="已存在"):
        backup.restore_backup(result.path, existing)
    assert existing.read_bytes() == b"precious"


def test_restore_refuses_incomplete_or_foreign_directories(full_db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Test that a directory without a manifest, or with tampered data, does not produce a database."""
    with pytest.raises(ValidationError, match="manifest"):
        backup.restore_backup(tmp_path, tmp_path / "x.duckdb")
    result = backup.create_backup(full_db, ADMIN, tmp_path / "bk")
    manifest = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    manifest["tables"]["users"] += 1
    (result.path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ValidationError, match="行数"):
        backup.restore_backup(result.path, tmp_path / "y.duckdb")
    assert not (tmp_path / "y.duckdb").exists()
    assert not [p for p in tmp_path.iterdir() if "restoring" in p.name]
    manifest["schema_version"] = 999
    manifest["tables"]["users"] -= 1
    (result.path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ValidationError, match="升级"):
        backup.restore_backup(result.path, tmp_path / "z.duckdb")


def test_only_admins_back_up(full_db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Test that a leader cannot write a copy of every table (including the accounts)."""
    with pytest.raises(store.PermissionDenied):
        backup.create_backup(full_db, Actor("boss", "leader"), tmp_path / "bk")
    assert not (tmp_path / "bk").exists()

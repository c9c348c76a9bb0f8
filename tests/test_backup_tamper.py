"""Restore reads data, never code: a tampered backup (SQL appended to schema.sql/load.sql, a manifest
pointing outside the folder, unknown tables or columns) changes nothing outside the new file."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import duckdb
import pytest

from perfwatch import auth, backup, db, entry, store
from perfwatch.store import Actor, ValidationError

ADMIN = Actor("admin", "admin")


@pytest.fixture
def source(mini_db: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The mini dataset with an account and a spend row."""
    auth.create_first_admin(mini_db, "admin", "tamper-test-pw-1")
    p1 = mini_db.execute("SELECT id FROM projects WHERE code = 'P001'").fetchone()[0]
    entry.record_spend(mini_db, store.SYSTEM, p1, dt.date(2024, 3, 1), "1.25")
    return mini_db


def _tree(root: Path, skip: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` (except the new database) with its size and mtime."""
    out = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            p = Path(dirpath) / n
            if p.name.startswith(skip.name) or p.name.startswith("." + skip.name):
                continue
            st = p.stat()
            out[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return out


def _hostile_sql(tmp_path: Path) -> str:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret", encoding="utf-8")
    return (
        f"\nCOPY (SELECT 'x') TO '{tmp_path / 'leak.csv'}';\n"
        f"CREATE TABLE leaked AS SELECT * FROM read_text('{secret}');\n"
        f"INSTALL httpfs; LOAD httpfs;\n"
    )


def _old_format_backup(conn: duckdb.DuckDBPyConnection, out: Path) -> Path:
    """A backup as the previous version wrote it: EXPORT DATABASE (schema.sql, load.sql) + manifest/1."""
    conn.execute(f"EXPORT DATABASE '{out}' (FORMAT parquet)")
    counts = backup.row_counts(conn)
    manifest = {"format": "perfwatch-backup/1", "schema_version": db.schema_version(conn), "tables": counts}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return out


def _assert_clean(tmp_path: Path, before: dict[str, tuple[int, int]], new: Path) -> None:
    assert not (tmp_path / "leak.csv").exists()
    assert _tree(tmp_path, new) == before
    if new.exists():
        conn = db.connect(new, read_only=True)
        try:
            names = {r[0] for r in conn.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        finally:
            conn.close()
        assert "leaked" not in names


def test_sql_appended_to_a_new_backup_is_not_run(source: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Test that schema.sql/load.sql dropped into a backup are ignored: same data back, no file written or read."""
    snap = backup.snapshot(source)
    result = backup.create_backup(source, ADMIN, tmp_path / "bk")
    assert not (result.path / "schema.sql").exists()  # the new format holds data only
    hostile = _hostile_sql(tmp_path)
    (result.path / "schema.sql").write_text(hostile, encoding="utf-8")
    (result.path / "load.sql").write_text(hostile, encoding="utf-8")
    new = tmp_path / "restored.duckdb"
    before = _tree(tmp_path, new)
    backup.restore_backup(result.path, new)
    _assert_clean(tmp_path, before, new)
    conn = db.open_database(new)
    try:
        restored = backup.snapshot(conn)
    finally:
        conn.close()
    assert {k: v for k, v in restored.items() if k != "audit_log"} == {
        k: v for k, v in snap.items() if k != "audit_log"}


def test_old_format_backup_with_appended_sql_restores_data_only(
    source: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """Test that an EXPORT DATABASE backup whose schema.sql has COPY/read_text appended restores its data only."""
    snap = backup.snapshot(source)
    folder = _old_format_backup(source, tmp_path / "old")
    hostile = _hostile_sql(tmp_path)
    for name in ("schema.sql", "load.sql"):
        with (folder / name).open("a", encoding="utf-8") as fh:
            fh.write(hostile)
    new = tmp_path / "restored.duckdb"
    before = _tree(tmp_path, new)
    backup.restore_backup(folder, new)
    _assert_clean(tmp_path, before, new)
    conn = db.open_database(new)
    try:
        assert backup.snapshot(conn)["spend_entries"] == snap["spend_entries"]
        assert backup.snapshot(conn)["users"] == snap["users"]
    finally:
        conn.close()


@pytest.mark.parametrize("bad_name", ["../outside.parquet", "sub/users.parquet", "/etc/passwd.parquet", "link.parquet"])
def test_manifest_paths_outside_the_folder_are_refused(
    source: duckdb.DuckDBPyConnection, tmp_path: Path, bad_name: str
) -> None:
    """Test that a manifest naming a data file outside the backup folder (.., subfolder, absolute, symlink) is refused."""
    result = backup.create_backup(source, ADMIN, tmp_path / "bk")
    outside = tmp_path / "bk" / "outside.parquet"
    os.replace(result.path / "users.parquet", outside)
    (result.path / "sub").mkdir()
    (result.path / "link.parquet").symlink_to(outside)
    manifest = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["users"] = bad_name
    (result.path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    new = tmp_path / "restored.duckdb"
    before = _tree(tmp_path, new)
    with pytest.raises(ValidationError, match="备份目录内|不完整"):
        backup.restore_backup(result.path, new)
    assert not new.exists()
    _assert_clean(tmp_path, before, new)


def test_unknown_tables_are_refused_and_unknown_columns_ignored(
    source: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """Test that a table this program does not know is refused, and an extra column in a file is not loaded."""
    result = backup.create_backup(source, ADMIN, tmp_path / "bk")
    manifest = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    # An extra column "evil" in the settings file: ignored (only this schema's columns are read).
    scratch = duckdb.connect()
    scratch.execute(f"COPY (SELECT *, 'x' AS evil FROM read_parquet('{result.path / 'settings.parquet'}')) "
                    f"TO '{result.path / 'settings2.parquet'}' (FORMAT parquet)")
    scratch.close()
    manifest["files"]["settings"] = "settings2.parquet"
    (result.path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    backup.restore_backup(result.path, tmp_path / "ok.duckdb")
    conn = db.connect(tmp_path / "ok.duckdb", read_only=True)
    cols = {r[0] for r in conn.execute("DESCRIBE settings").fetchall()}
    conn.close()
    assert "evil" not in cols
    manifest["tables"]["leaked"] = 1
    manifest["files"]["leaked"] = "settings.parquet"
    (result.path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ValidationError, match="不认识的表"):
        backup.restore_backup(result.path, tmp_path / "no.duckdb")
    assert not (tmp_path / "no.duckdb").exists()


def test_cli_restore_of_a_tampered_backup_says_why_in_chinese(
    source: duckdb.DuckDBPyConnection, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Test that the restore command refuses a traversal manifest with a Chinese message, exit code 1, no traceback."""
    from perfwatch.cli import main

    result = backup.create_backup(source, ADMIN, tmp_path / "bk")
    manifest = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["users"] = "../../secret.parquet"
    (result.path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    code = main(["restore", str(result.path), "--db", str(tmp_path / "x.duckdb")])
    err = capsys.readouterr().err
    assert code == 2 and "不在备份目录内" in err and "Traceback" not in err

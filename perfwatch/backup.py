"""Backups: a consistent, timestamped copy of the whole database, and restore into a new file.

A backup is a directory ``perfwatch-YYYYmmdd-HHMMSS/`` holding one Parquet file per table plus
``manifest.json`` (format, schema version, every table's file and row count). It is written under a
temporary name and renamed when complete, so a directory with that name is always whole.

Restore reads data, never code: a backup received from elsewhere may have been tampered with, so
nothing in it is executed. The new file gets its schema from THIS program's migrations (up to the
backup's schema version), then only known tables and known columns are loaded from Parquet files
that lie directly inside the backup folder, on a connection that may not touch any other file
(DuckDB ``enable_external_access = false`` with the backup folder as the only allowed directory),
and finally the remaining migrations run. Backups of the old format (DuckDB ``EXPORT DATABASE``
with schema.sql/load.sql) are restored the same way from their ``<table>.parquet`` files; their SQL
is never read. Restore never touches an existing file: it builds a new one next to the target and
renames it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from perfwatch import db
from perfwatch.store import Actor, ValidationError, authorize, to_json, transaction

MANIFEST = "manifest.json"
FORMAT = "perfwatch-backup/2"
OLD_FORMAT = "perfwatch-backup/1"   # EXPORT DATABASE folders: data files read, schema.sql/load.sql ignored
MAX_RESTORED_ID = 50_000_000        # an id above this in a backup is refused (sequences are replayed)
NOT_RESTORED = frozenset({"schema_migrations"})  # written by the migrations themselves
ENV_BACKUP_DIR = "PERFWATCH_BACKUP_DIR"
WARN_AFTER = dt.timedelta(days=7)


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]


def default_backup_dir(db_path: Path | str | None = None) -> Path:
    """``$PERFWATCH_BACKUP_DIR``, else ``backups/`` beside the database file."""
    env = os.environ.get(ENV_BACKUP_DIR)
    if env:
        return Path(env).expanduser()
    return db.resolve_db_path(db_path).resolve().parent / "backups"


def _sql_string(text: str) -> str:
    """A SQL string literal (EXPORT/IMPORT DATABASE take no bound parameters)."""
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def tables(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Every base table of the database, sorted."""
    return [r[0] for r in db.query(conn, "auth/user_tables")]


def row_counts(conn: duckdb.DuckDBPyConnection | Any) -> dict[str, int]:
    """Rows per table (``conn`` may also be an open cursor inside a transaction)."""
    names = [r[0] for r in conn.execute(db.load_query("auth/user_tables")).fetchall()]
    return {n: int((conn.execute(f"SELECT count(*) FROM {_ident(n)}").fetchone() or (0,))[0]) for n in names}


def _comparable(value: Any) -> Any:
    # NaN never equals itself; stand in a marker so equal tables compare equal.
    return "<NaN>" if isinstance(value, float) and value != value else value


def snapshot(conn: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: to compare two databases (NaN as "<NaN>")."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    cur = conn.cursor()
    try:
        for name in tables(conn):
            rows = cur.execute(f"SELECT * FROM {_ident(name)}").fetchall()
            out[name] = sorted((tuple(_comparable(v) for v in row) for row in rows), key=repr)
    finally:
        cur.close()
    return out


def _unique_dir(out_dir: Path, now: dt.datetime) -> Path:
    base = out_dir / f"perfwatch-{now:%Y%m%d-%H%M%S}"
    path, n = base, 1
    while path.exists() or path.with_name(path.name + ".partial").exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def create_backup(
    conn: duckdb.DuckDBPyConnection,
    actor: Actor,
    out_dir: Path | str | None = None,
    *,
    now: dt.datetime | None = None,
    db_path: Path | str | None = None,
) -> BackupResult:
    """Export the database into ``out_dir/perfwatch-YYYYmmdd-HHMMSS/`` and record it.

    Export and row counts come from one transaction, so the copy is consistent even while
    others write. Only admins (and the command line) may back up.
    """
    authorize(actor, "settings.update")
    now = now or dt.datetime.now()
    out = Path(out_dir).expanduser() if out_dir else default_backup_dir(db_path)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(f"无法创建备份目录 {out}：{exc}") from exc
    final = _unique_dir(out, now)
    partial = final.with_name(final.name + ".partial")
    cur = conn.cursor()
    try:
        cur.begin()
        counts = row_counts(cur)
        version = int((cur.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone() or (0,))[0])
        partial.mkdir()
        files: dict[str, str] = {}
        for name in counts:
            files[name] = f"{name}.parquet"
            # Table names come from this database's own catalog; the path is ours.
            cur.execute(f"COPY (SELECT * FROM {_ident(name)}) TO "
                        f"{_sql_string(str((partial / files[name]).resolve()))} (FORMAT parquet)")
        cur.commit()
    except (duckdb.Error, OSError) as exc:
        cur.rollback()
        shutil.rmtree(partial, ignore_errors=True)
        raise ValidationError(f"备份失败（{_why(exc)}），未生成备份。") from exc
    finally:
        cur.close()
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(timespec="seconds"),
        "created_by": actor.username,
        "schema_version": version,
        "duckdb_version": duckdb.__version__,
        "source": str(db.resolve_db_path(db_path)) if db_path else None,
        "tables": counts,
        "files": files,
    }
    try:
        (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(partial, final)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise ValidationError(f"备份失败（{_why(exc)}），未生成备份。") from exc
    with transaction(conn, actor, "settings.update") as tx:
        row = tx.one(
            "auth/insert_backup",
            {"at": now, "path": str(final.resolve()), "by": actor.username, "manifest": to_json(manifest)},
        )
        assert row is not None
        tx.audit("backups", row[0], None, {"path": str(final.resolve()), "tables": len(counts)}, "backup.create")
    return BackupResult(final, manifest)


def _why(exc: BaseException) -> str:
    """A short Chinese reason for a file-system or DuckDB failure."""
    text = str(exc)
    if isinstance(exc, OSError) and exc.errno == 28 or "No space left" in text or "disk full" in text.lower():
        return "磁盘空间不足"
    if isinstance(exc, PermissionError) or "Permission" in text:
        return "没有写入权限"
    return "技术信息：" + (text.splitlines()[0][:200] if text else type(exc).__name__)


def read_manifest(backup_dir: Path | str) -> dict[str, Any]:
    """The manifest of a backup directory; ValidationError if it is not a perfwatch backup."""
    path = Path(backup_dir).expanduser()
    if not path.is_dir():
        raise ValidationError(f"备份目录 {path} 不存在。")
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValidationError(f"{path} 中没有 {MANIFEST}，不是 perfwatch 备份（或备份未完成）。") from exc
    except (OSError, ValueError) as exc:
        raise ValidationError(f"无法读取 {path / MANIFEST}：{exc}") from exc
    if (not isinstance(manifest, dict) or manifest.get("format") not in (FORMAT, OLD_FORMAT)
            or not isinstance(manifest.get("tables"), dict)):
        raise ValidationError(f"{path / MANIFEST} 不是可识别的 perfwatch 备份清单。")
    version = manifest.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValidationError(f"{path / MANIFEST} 中的结构版本无效。")
    for name, rows in manifest["tables"].items():
        if not isinstance(name, str) or not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
            raise ValidationError(f"{path / MANIFEST} 中表 {str(name)[:40]} 的行数无效。")
    files = manifest.get("files")
    if manifest["format"] == FORMAT and not isinstance(files, dict):
        raise ValidationError(f"{path / MANIFEST} 缺少数据文件清单。")
    return manifest


def _data_file(src: Path, manifest: dict[str, Any], table: str) -> Path:
    """The Parquet file of ``table``: a regular file directly inside the backup folder, else refused."""
    if manifest["format"] == FORMAT:
        name = manifest["files"].get(table)
    else:  # EXPORT DATABASE wrote <table>.parquet
        name = f"{table}.parquet"
    if not isinstance(name, str) or not name.endswith(".parquet"):
        raise ValidationError(f"备份清单中表 {table} 的数据文件无效。")
    path = src / name
    # Inside the folder: no separators, no "..", no symbolic link leading elsewhere.
    if (Path(name).name != name or name in (".", "..") or path.is_symlink()
            or path.resolve().parent != src.resolve()):
        raise ValidationError(f"备份清单中表 {table} 的数据文件 {name[:80]} 不在备份目录内，已拒绝。")
    if not path.is_file():
        raise ValidationError(f"备份目录 {src} 不完整：缺少表 {table} 的数据文件 {name}。")
    return path


def _sandboxed(path: Path, allowed: Path) -> duckdb.DuckDBPyConnection:
    """A new database file whose connection may read only ``allowed`` (and write only itself)."""
    conn = db.connect(path)
    try:
        conn.execute("SET allowed_directories = $dirs", {"dirs": [str(allowed.resolve()) + os.sep]})
        conn.execute("SET enable_external_access = false")
        conn.execute("SET lock_configuration = true")
    except duckdb.Error:
        conn.close()
        raise
    return conn


def _columns(cur: Any, table: str) -> list[str]:
    return [r[0] for r in cur.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = $t "
        "ORDER BY column_index", {"t": table}).fetchall()]


def _load(conn: duckdb.DuckDBPyConnection, src: Path, manifest: dict[str, Any]) -> dict[str, int]:
    """Load every table of the manifest from its Parquet file; return rows loaded per table."""
    cur = conn.cursor()
    # Tables of this program's schema, in creation order (referenced tables first).
    known = [r[0] for r in cur.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_oid").fetchall()]
    known = [t for t in known if t not in NOT_RESTORED]
    unknown = sorted(set(manifest["tables"]) - set(known) - NOT_RESTORED)
    if unknown:
        raise ValidationError(f"备份中有本程序不认识的表：{'、'.join(str(u)[:40] for u in unknown[:5])}，已拒绝恢复。")
    counts: dict[str, int] = {}
    for table in known:
        if table not in manifest["tables"]:
            counts[table] = 0
            continue
        path = _data_file(src, manifest, table)
        try:
            have = {r[0] for r in cur.execute("DESCRIBE SELECT * FROM read_parquet($p)", {"p": str(path)}).fetchall()}
        except duckdb.Error as exc:
            raise ValidationError(f"备份文件 {path.name} 不是有效的 Parquet 数据文件，已拒绝恢复。") from exc
        cols = [c for c in _columns(cur, table) if c in have]  # names from our catalog, never from the file
        if not cols:
            raise ValidationError(f"备份文件 {path.name} 中没有表 {table} 的任何列，已拒绝恢复。")
        col_list = ", ".join(_ident(c) for c in cols)
        cur.execute(f"INSERT INTO {_ident(table)} ({col_list}) SELECT {col_list} FROM read_parquet($p)",
                    {"p": str(path)})
        counts[table] = int((cur.execute(f"SELECT count(*) FROM {_ident(table)}").fetchone() or (0,))[0])
    if "schema_migrations" in manifest["tables"]:
        # Keep when each migration was first applied (the rows themselves come from our migrations).
        path = _data_file(src, manifest, "schema_migrations")
        try:
            cur.execute("UPDATE schema_migrations m SET applied_at = b.applied_at FROM read_parquet($p) b "
                        "WHERE b.version = m.version AND b.name = m.name", {"p": str(path)})
        except duckdb.Error as exc:
            raise ValidationError(f"备份文件 {path.name} 不是有效的迁移记录，已拒绝恢复。") from exc
    _advance_sequences(cur)
    return counts


def _advance_sequences(cur: Any) -> None:
    """Move every id sequence past the largest restored id, so new rows do not collide."""
    rows = cur.execute(
        "SELECT table_name, column_name, column_default FROM duckdb_columns() "
        "WHERE schema_name = 'main' AND column_default LIKE 'nextval(%'").fetchall()
    for table, column, default in rows:
        m = re.fullmatch(r"nextval\('([A-Za-z0-9_]+)'\)", str(default))
        if not m:
            continue
        top = cur.execute(f"SELECT coalesce(max({_ident(column)}), 0) FROM {_ident(table)}").fetchone()[0]
        if int(top) > MAX_RESTORED_ID:
            raise ValidationError(f"备份中表 {table} 的编号 {top} 超出合理范围，已拒绝恢复。")
        if int(top) > 0:
            cur.execute("SELECT max(nextval($s)) FROM range($n)", {"s": m.group(1), "n": int(top)})


def restore_backup(backup_dir: Path | str, new_db: Path | str) -> dict[str, int]:
    """Bring a backup back into the NEW file ``new_db`` (refused if it exists); return row counts.

    The schema comes from this program's migrations; only data is read from the backup (see the
    module docstring). The copy is built under a temporary name, checked against the manifest's
    row counts, migrated to this program's schema, then renamed into place.
    """
    src = Path(backup_dir).expanduser()
    manifest = read_manifest(src)
    latest = db.migrations()[-1].version
    if int(manifest["schema_version"]) > latest:
        raise ValidationError(
            f"该备份的结构版本为 {manifest['schema_version']}，高于本程序支持的版本 {latest}。请升级 perfwatch 后再恢复。"
        )
    target = Path(new_db).expanduser()
    if target.exists() or Path(str(target) + ".wal").exists():
        raise ValidationError(f"目标文件 {target} 已存在。恢复只写入新文件，不会覆盖已有数据库；请指定一个新的文件名。")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(f"无法创建目录 {target.parent}（{_why(exc)}）。") from exc
    tmp = target.with_name(f".{target.name}.restoring-{os.getpid()}")
    for leftover in (tmp, Path(str(tmp) + ".wal")):
        leftover.unlink(missing_ok=True)
    conn = _sandboxed(tmp, src)
    try:
        db.migrate(conn, target, up_to=int(manifest["schema_version"]))
        conn.execute("BEGIN")
        counts = _load(conn, src, manifest)
        expected = {k: int(v) for k, v in manifest["tables"].items() if k not in NOT_RESTORED}
        loaded = {k: v for k, v in counts.items() if v or k in expected}
        if loaded != expected:
            diff = [f"{k}: 备份 {expected.get(k)} 行，恢复 {loaded.get(k)} 行"
                    for k in sorted(set(loaded) | set(expected)) if loaded.get(k) != expected.get(k)]
            raise ValidationError(f"恢复后的行数与备份清单不一致：{'；'.join(diff[:5])}")
        conn.execute("COMMIT")
        db.migrate(conn, target)
        conn.execute("CHECKPOINT")
        counts = row_counts(conn)
    except duckdb.Error as exc:
        conn.close()
        _remove(tmp)
        raise ValidationError(f"恢复失败（{_why(exc)}），未生成数据库文件。") from exc
    except BaseException:
        conn.close()
        _remove(tmp)
        raise
    conn.close()
    if target.exists():
        _remove(tmp)
        raise ValidationError(f"目标文件 {target} 在恢复过程中被创建，未覆盖。")
    os.replace(tmp, target)
    return counts


def _remove(path: Path) -> None:
    for p in (path, Path(str(path) + ".wal")):
        p.unlink(missing_ok=True)


def last_backup(conn: duckdb.DuckDBPyConnection) -> tuple[dt.datetime, str, str] | None:
    """(when, path, by whom) of the most recent recorded backup, or None."""
    rows = db.query(conn, "auth/last_backup")
    return None if not rows else (rows[0][0], str(rows[0][1]), str(rows[0][2]))


def backup_is_stale(last: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether an admin should be warned: no backup, or the last one older than 7 days."""
    return last is None or now - last > WARN_AFTER

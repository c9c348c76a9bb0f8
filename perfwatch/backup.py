"""Backups: a consistent, timestamped copy of the whole database, and restore into a new file.

A backup is a directory ``perfwatch-YYYYmmdd-HHMMSS/`` written by DuckDB's
``EXPORT DATABASE ... (FORMAT parquet)`` (schema.sql, load.sql, one parquet file per table) plus
``manifest.json`` with every table's row count and the schema version. It is written under a
temporary name and renamed when complete, so a directory with that name is always whole.
Restore never touches an existing file: it builds a new one next to the target and renames it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from perfwatch import db
from perfwatch.store import Actor, ValidationError, authorize, to_json, transaction

MANIFEST = "manifest.json"
FORMAT = "perfwatch-backup/1"
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
    return {n: int(conn.execute(f"SELECT count(*) FROM {_ident(n)}").fetchone()[0]) for n in names}


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
        version = int(cur.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0])
        cur.execute(f"EXPORT DATABASE {_sql_string(str(partial.resolve()))} (FORMAT parquet)")
        cur.commit()
    except duckdb.Error as exc:
        cur.rollback()
        shutil.rmtree(partial, ignore_errors=True)
        raise ValidationError(f"备份失败：{str(exc).splitlines()[0][:200]}") from exc
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
    }
    (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(partial, final)
    with transaction(conn, actor, "settings.update") as tx:
        row = tx.one(
            "auth/insert_backup",
            {"at": now, "path": str(final.resolve()), "by": actor.username, "manifest": to_json(manifest)},
        )
        assert row is not None
        tx.audit("backups", row[0], None, {"path": str(final.resolve()), "tables": len(counts)}, "backup.create")
    return BackupResult(final, manifest)


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
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("tables"), dict):
        raise ValidationError(f"{path / MANIFEST} 不是可识别的 perfwatch 备份清单。")
    if not (path / "schema.sql").is_file() or not (path / "load.sql").is_file():
        raise ValidationError(f"备份目录 {path} 不完整（缺少 schema.sql 或 load.sql）。")
    return manifest


def restore_backup(backup_dir: Path | str, new_db: Path | str) -> dict[str, int]:
    """Bring a backup back into the NEW file ``new_db`` (refused if it exists); return row counts.

    The copy is built under a temporary name, checked against the manifest's row counts and
    migrated to this program's schema, then renamed into place.
    """
    src = Path(backup_dir).expanduser()
    manifest = read_manifest(src)
    latest = db.migrations()[-1].version
    if int(manifest.get("schema_version", 0)) > latest:
        raise ValidationError(
            f"该备份的结构版本为 {manifest['schema_version']}，高于本程序支持的版本 {latest}。请升级 perfwatch 后再恢复。"
        )
    target = Path(new_db).expanduser()
    if target.exists() or Path(str(target) + ".wal").exists():
        raise ValidationError(f"目标文件 {target} 已存在。恢复只写入新文件，不会覆盖已有数据库；请指定一个新的文件名。")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.restoring-{os.getpid()}")
    for leftover in (tmp, Path(str(tmp) + ".wal")):
        leftover.unlink(missing_ok=True)
    conn = duckdb.connect(str(tmp))
    try:
        conn.execute(f"IMPORT DATABASE {_sql_string(str(src.resolve()))}")
        counts = row_counts(conn)
        expected = {k: int(v) for k, v in manifest["tables"].items()}
        if counts != expected:
            diff = [f"{k}: 备份 {expected.get(k)} 行，恢复 {counts.get(k)} 行"
                    for k in sorted(set(counts) | set(expected)) if counts.get(k) != expected.get(k)]
            raise ValidationError(f"恢复后的行数与备份清单不一致：{'；'.join(diff[:5])}")
        db.migrate(conn, target)
        conn.execute("CHECKPOINT")
    except duckdb.Error as exc:
        conn.close()
        _remove(tmp)
        raise ValidationError(f"恢复失败：{str(exc).splitlines()[0][:200]}") from exc
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

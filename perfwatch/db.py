"""The only module that opens DuckDB: paths, connections, migrations and named queries.

Every other module receives a connection from here and runs SQL from ``queries/*.sql`` through
:func:`query` / :func:`query_df`, which bind ``$named`` parameters on a fresh cursor (a DuckDB
connection is not thread-safe; Streamlit runs each browser session in its own thread).
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = REPO_ROOT / "queries"
MIGRATIONS_DIR = QUERIES_DIR / "migrations"
DEFAULT_DB_PATH = REPO_ROOT / "data" / "perfwatch.duckdb"
ENV_DB = "PERFWATCH_DB"

USERNAME_KEY_MIGRATION = 7  # 0007_security adds users.username_key, filled in Python right after

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class DatabaseError(Exception):
    """A database that cannot be used, with a message for people (Chinese) and no traceback.

    ``reason`` is one of: locked, unreadable, corrupt, newer_schema, missing.
    """

    def __init__(self, reason: str, path: Path | str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.path = str(path)
        self.message = message


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


def resolve_db_path(cli_path: str | os.PathLike[str] | None = None) -> Path:
    """``--db`` if given, else ``$PERFWATCH_DB``, else ``data/perfwatch.duckdb`` in the repo."""
    if cli_path:
        return Path(cli_path).expanduser()
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    return DEFAULT_DB_PATH


def migrations() -> list[Migration]:
    """The numbered migrations in ``queries/migrations``, in order."""
    found: list[Migration] = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        m = _MIGRATION_NAME.match(path.name)
        if not m:
            raise RuntimeError(f"badly named migration file: {path.name} (want NNNN_name.sql)")
        found.append(Migration(int(m.group(1)), m.group(2), path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration numbers in {MIGRATIONS_DIR}")
    return found


def _explain(exc: Exception, path: Path) -> DatabaseError:
    text = str(exc)
    low = text.lower()
    if "lock" in low and ("conflicting" in low or "could not set lock" in low):
        pid = re.search(r"PID (\d+)", text)
        holder = f"（进程号 {pid.group(1)}）" if pid else ""
        return DatabaseError(
            "locked",
            path,
            f"数据库文件 {path} 正被另一个程序{holder}占用，暂时无法打开。"
            "请关闭正在使用它的程序（例如另一个 perfwatch 窗口或命令）后重试；文件未做任何改动。",
        )
    if "permission denied" in low or "access is denied" in low:
        return DatabaseError(
            "unreadable",
            path,
            f"没有读取数据库文件 {path} 的权限。请检查文件权限；文件未做任何改动。",
        )
    if "newer" in low or "version" in low and "storage" in low:
        return DatabaseError(
            "newer_schema",
            path,
            f"数据库文件 {path} 由更新版本的软件创建，当前版本无法打开。请升级 perfwatch；文件未做任何改动。",
        )
    return DatabaseError(
        "corrupt",
        path,
        f"数据库文件 {path} 无法识别为有效的 DuckDB 数据库（可能已损坏或不是数据库文件）。"
        f"文件未做任何改动，请从备份恢复或指定其他文件。技术信息：{text.splitlines()[0][:200]}",
    )


# Every connection: never download or load an extension on its own (opening a SQLite or Excel file
# by mistake must not make DuckDB reach the internet or run code it fetched).
CONNECTION_CONFIG: dict[str, Any] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}

DUCKDB_MAGIC = b"DUCK"          # bytes 8..12 of every DuckDB database file
DUCKDB_HEADER_SIZE = 3 * 4096   # main header + two database headers
_FOREIGN_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"SQLite format 3\x00", "SQLite 数据库"),
    (b"PK\x03\x04", "压缩包或 Excel/Word 文件"),
    (b"%PDF", "PDF 文件"),
    (b"PAR1", "Parquet 数据文件"),
    (b"\xd0\xcf\x11\xe0", "旧版 Office 文件"),
)


def file_problem(path: Path | str) -> str | None:
    """A Chinese message when the existing file at ``path`` is plainly not a usable DuckDB database
    (another kind of file, empty, cut short), judged from its first bytes before DuckDB opens it;
    None when it looks like one (DuckDB still checks the rest)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(DUCKDB_HEADER_SIZE)
    except OSError as exc:
        return f"无法读取数据库文件 {path}：{exc.strerror or exc}。文件未做任何改动。"
    if size == 0:
        return None  # an empty file: DuckDB initialises it as a new database
    for magic, kind in _FOREIGN_MAGIC:
        if head.startswith(magic):
            return (f"文件 {path} 是{kind}，不是 perfwatch 的 DuckDB 数据库。文件未做任何改动，"
                    "请指定正确的数据库文件（--db 或环境变量 PERFWATCH_DB）。")
    if head[8:12] != DUCKDB_MAGIC:
        return (f"文件 {path} 无法识别为 DuckDB 数据库（文件头不符，可能已损坏或不是数据库文件）。文件未做任何改动，"
                "请指定正确的数据库文件或从备份恢复。")
    if size < DUCKDB_HEADER_SIZE or not _whole_blocks(head, size):
        return f"数据库文件 {path} 不完整（只有 {size} 字节，可能被截断或复制未完成）。文件未做任何改动，请从备份恢复。"
    return None


def _whole_blocks(head: bytes, size: int) -> bool:
    """Whether the file is the three headers plus whole blocks of the size its newer database header
    names (checksum, iteration, meta block, free list, block count, block size, ...). A file cut
    short mid-block fails; True when the header cannot tell."""
    best: tuple[int, int] | None = None
    for offset in (4096, 8192):
        if len(head) < offset + 48:
            return True
        _, iteration, _, _, _, block_size = struct.unpack_from("<6Q", head, offset)
        if 4096 <= block_size <= 2**30 and (best is None or iteration > best[0]):
            best = (iteration, block_size)
    return best is None or (size - DUCKDB_HEADER_SIZE) % best[1] == 0


def describe_error(exc: BaseException) -> str:
    """A Chinese message for a database or file failure met while working (not while opening).

    Looks through the exception chain, because a failed commit can surface as a later
    "cannot rollback" error whose cause is the real one (disk full, file too large).
    """
    chain: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and len(chain) < 10:
        chain.append(e)
        e = e.__cause__ or e.__context__
    text = " | ".join(str(x) for x in chain).lower()
    errnos = {getattr(x, "errno", None) for x in chain}
    if errnos & {28, 27, 122} or any(w in text for w in ("no space left", "file too large", "disk full",
                                                          "disk quota", "not enough space")):
        return ("磁盘空间不足（或文件超出系统允许的大小），本次写入已整体撤销，数据库保持写入前的状态。"
                "请清理磁盘空间后重试。")
    if any(w in text for w in ("could not read enough bytes", "checksum", "corrupt")):
        return "数据库文件已损坏或不完整（可能被截断），无法读取。文件未做任何改动，请从备份恢复。"
    if any(w in text for w in ("out of range", "overflow")):
        return "数值超出数据库可保存的范围，未保存任何数据。请检查金额和单位（元/万元）。"
    if "conflict" in text:
        return "与另一项同时进行的修改冲突，本次写入已撤销，没有保存任何数据。请刷新后重试。"
    if "permission" in text or errnos & {13, 1}:
        return "没有读写数据库文件或目录的权限，本次操作未完成。请检查文件权限。"
    first = str(chain[-1]).splitlines()[0][:200] if str(chain[-1]) else type(chain[-1]).__name__
    return f"数据库操作失败，本次写入已撤销。技术信息：{first}"


def connect(path: Path | str, *, read_only: bool = False, create: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the DuckDB file at ``path``; failures become :class:`DatabaseError`.

    Never deletes or rewrites an existing file: a file DuckDB cannot read is reported as is.
    """
    path = Path(path)
    if not path.exists():
        if read_only or not create:
            raise DatabaseError("missing", path, f"数据库文件 {path} 不存在。请先运行 python -m perfwatch init。")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError("unreadable", path, f"无法创建数据库目录 {path.parent}：{exc}") from exc
    elif path.is_dir():
        raise DatabaseError("unreadable", path, f"{path} 是一个目录，不是数据库文件。")
    elif not os.access(path, os.R_OK):
        raise DatabaseError("unreadable", path, f"没有读取数据库文件 {path} 的权限。请检查文件权限；文件未做任何改动。")
    else:
        problem = file_problem(path)
        if problem:
            raise DatabaseError("corrupt", path, problem)
    try:
        return duckdb.connect(str(path), read_only=read_only, config=dict(CONNECTION_CONFIG))
    except duckdb.Error as exc:
        raise _explain(exc, path) from exc


def schema_version(conn: duckdb.DuckDBPyConnection) -> int:
    """The highest applied migration number, 0 for an empty database."""
    cur = conn.cursor()
    exists = cur.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()
    if not exists or exists[0] == 0:
        return 0
    row = cur.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: duckdb.DuckDBPyConnection, path: Path | str = "", *, up_to: int | None = None) -> list[Migration]:
    """Apply every migration not yet applied (only those numbered ≤ ``up_to`` when given), each in
    its own transaction; return those applied.

    A database whose schema is newer than this code knows is refused (never downgraded).
    """
    known = [m for m in migrations() if up_to is None or m.version <= up_to]
    latest = migrations()[-1].version if migrations() else 0
    cur = conn.cursor()
    cur.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    current = schema_version(conn)
    done = {int(r[0]) for r in cur.execute("SELECT version FROM schema_migrations").fetchall()}
    if current > latest:
        raise DatabaseError(
            "newer_schema",
            path,
            f"数据库文件 {path} 的结构版本为 {current}，高于本程序支持的版本 {latest}。"
            "请升级 perfwatch 后再打开；文件未做任何改动。",
        )
    applied: list[Migration] = []
    for mig in known:
        if mig.version in done:
            continue
        cur.begin()
        try:
            cur.execute(mig.sql)
            cur.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($version, $name)",
                {"version": mig.version, "name": mig.name},
            )
        except Exception:
            rollback_quietly(cur)  # the migration's own error is the one to report
            raise
        cur.commit()
        applied.append(mig)
    if any(m.version == USERNAME_KEY_MIGRATION for m in applied):
        from perfwatch.auth import (
            fill_username_keys,  # data step of 0007 (NFKC needs Python)
        )

        fill_username_keys(conn)
    return applied


def rollback_quietly(cur: duckdb.DuckDBPyConnection) -> None:
    """Roll back after a failure; a rollback that fails too (DuckDB has already ended the
    transaction) must not replace the error that caused it."""
    try:
        cur.rollback()
    except duckdb.Error:
        pass


def open_database(path: Path | str | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) and migrate the database. Nothing is loaded into it: seeding an
    empty database is the caller's step (:func:`perfwatch.dataset.open_seeded`).

    ``read_only`` opens an existing file without migrating (for viewers when it is locked).
    """
    db_path = resolve_db_path(path)
    conn = connect(db_path, read_only=read_only)
    try:
        if read_only:
            if schema_version(conn) > (migrations()[-1].version if migrations() else 0):
                raise DatabaseError("newer_schema", db_path, f"数据库文件 {db_path} 由更新版本的软件创建。请升级 perfwatch。")
            return conn
        migrate(conn, db_path)
    except DatabaseError:
        conn.close()
        raise
    except duckdb.Error as exc:
        conn.close()
        raise _explain(exc, db_path) from exc
    return conn


@cache
def load_query(name: str) -> str:
    """The text of ``queries/<name>.sql``."""
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no query file {path}")
    return path.read_text(encoding="utf-8")


def query_params(name: str) -> set[str]:
    """The ``$named`` parameters a query file uses (comments excluded)."""
    body = "\n".join(line.split("--", 1)[0] for line in load_query(name).splitlines())
    return set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", body))


def _bind(name: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    wanted = query_params(name)
    given = dict(params or {})
    missing = wanted - given.keys()
    if missing:
        raise KeyError(f"query {name} needs parameters {sorted(missing)}")
    return {k: v for k, v in given.items() if k in wanted}


def query(conn: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
    """Run ``queries/<name>.sql`` on a fresh cursor and return all rows."""
    cur = conn.cursor()
    try:
        return cur.execute(load_query(name), _bind(name, params)).fetchall()
    finally:
        cur.close()


def query_arrow(
    conn: duckdb.DuckDBPyConnection,
    name: str,
    params: Mapping[str, Any] | None = None,
    relations: Mapping[str, Any] | None = None,
) -> Any:
    """Run ``queries/<name>.sql`` on a fresh cursor and return a ``pyarrow.Table``.

    ``relations`` (Arrow tables or DataFrames) are registered on that cursor first, for queries
    that read the result of another query. Arrow is much cheaper than ``.df()`` on large results.
    """
    cur = conn.cursor()
    try:
        for rel_name, table in (relations or {}).items():
            cur.register(rel_name, table)
        return cur.sql(load_query(name), params=_bind(name, params)).to_arrow_table()
    finally:
        cur.close()


def query_df(conn: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Run ``queries/<name>.sql`` on a fresh cursor and return a DataFrame."""
    cur = conn.cursor()
    try:
        return cur.execute(load_query(name), _bind(name, params)).df()
    finally:
        cur.close()

"""A tamper-evident audit log: every row carries the hash of the row before it (issue 16 item 8).

Rows are *sealed* right after each write transaction commits (:func:`seal`, called by
``perfwatch.store.transaction``): the unsealed rows get, in id order, ``prev_hash`` (the hash of the
last sealed row, ``GENESIS`` for the first) and ``row_hash`` = SHA-256 over ``prev_hash`` and the
row's fields. The hash and count of the newest sealed row are kept in the setting
``audit_chain_head``. :func:`verify` recomputes everything and names every row changed outside the
app (its hash no longer matches), every gap (a row's predecessor is missing: removed) and a
removed or changed tail (the head no longer matches).

Limits: without a secret key, someone who rewrites the whole chain and the head consistently is
not detected here; the backups (and their manifests) are the second line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from dataclasses import dataclass, field
from typing import Any

import duckdb

from perfwatch import db

GENESIS = "0" * 64
HEAD_KEY = "audit_chain_head"
_SEAL_LOCK = threading.Lock()


def row_hash(prev_hash: str, row: tuple[Any, ...]) -> str:
    """SHA-256 (hex) of the previous hash and one row (id, changed_at, actor, action, entity,
    entity_id, old_value, new_value), in a canonical JSON form."""
    rid, changed_at, actor, action, entity, entity_id, old, new = row
    when = changed_at.isoformat(timespec="microseconds") if isinstance(changed_at, dt.datetime) else str(changed_at)
    payload = json.dumps([prev_hash, int(rid), when, actor, action, entity, entity_id, old, new],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _has_chain(cur: Any) -> bool:
    return bool(cur.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'audit_log' AND column_name = 'row_hash'"
    ).fetchone()[0])


def seal(conn: duckdb.DuckDBPyConnection) -> int:
    """Chain every unsealed audit row (in id order) after the newest sealed one; return how many."""
    with _SEAL_LOCK:
        cur = conn.cursor()
        try:
            if not _has_chain(cur):
                return 0
            cur.begin()
            try:
                head = cur.execute(db.load_query("audit/chain_head")).fetchone()
                prev = str(head[1]) if head else GENESIS
                count = int(head[2]) if head else 0
                rows = cur.execute(db.load_query("audit/unsealed_rows")).fetchall()
                for row in rows:
                    h = row_hash(prev, tuple(row))
                    cur.execute(db.load_query("audit/seal_row"), {"id": row[0], "prev": prev, "hash": h})
                    prev, count = h, count + 1
                if rows:
                    cur.execute(db.load_query("audit/set_chain_head"),
                                {"value": json.dumps({"hash": prev, "count": count, "last_id": int(rows[-1][0])})})
                cur.commit()
            except BaseException:
                db.rollback_quietly(cur)
                raise
            return len(rows)
        finally:
            cur.close()


def seal_quietly(conn: duckdb.DuckDBPyConnection) -> None:
    """:func:`seal` after a committed write; a failure here never undoes or hides that write
    (the rows are sealed by the next write or by ``verify-audit``)."""
    try:
        seal(conn)
    except (duckdb.Error, OSError):
        pass


@dataclass
class ChainReport:
    rows: int = 0
    sealed: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            return f"操作日志完整：共 {self.rows:,} 条记录，哈希链逐条核对一致，没有发现被修改或删除的记录。"
        return (f"操作日志有 {len(self.problems)} 处异常（共 {self.rows:,} 条记录）：有记录在本系统之外被修改或删除。"
                "请从备份核对，并检查谁能直接访问数据库文件。")


def verify(conn: duckdb.DuckDBPyConnection) -> ChainReport:
    """Recompute the chain: every row changed, removed (a gap before a row, or the tail) is named."""
    seal(conn)  # rows written since the last seal are chained first (they are new, not tampered)
    report = ChainReport()
    cur = conn.cursor()
    try:
        if not _has_chain(cur):
            report.problems.append("数据库尚未升级到带哈希链的操作日志（请运行 python -m perfwatch init）。")
            return report
        rows = cur.execute(db.load_query("audit/chain_rows")).fetchall()
        head_row = cur.execute(db.load_query("audit/chain_head")).fetchone()
    finally:
        cur.close()
    report.rows = len(rows)
    by_prev: dict[str, tuple[Any, ...]] = {}
    hashes: set[str] = set()
    for row in rows:
        rid, prev, stored = row[0], row[8], row[9]
        if stored is None:
            report.problems.append(f"第 {rid} 条记录没有哈希（在本系统之外插入，或哈希被清除）。")
            continue
        report.sealed += 1
        if row_hash(str(prev), tuple(row[:8])) != stored:
            report.problems.append(f"第 {rid} 条记录（{row[3]}，{row[2]}）的内容与其哈希不符：在本系统之外被修改。")
        if str(prev) in by_prev:
            report.problems.append(f"第 {rid} 条记录与第 {by_prev[str(prev)][0]} 条记录接在同一条记录之后（哈希链分叉）。")
        by_prev[str(prev)] = row
        hashes.add(str(stored))
    for row in rows:
        prev = row[8]
        if row[9] is not None and prev != GENESIS and prev not in hashes:
            report.problems.append(f"第 {row[0]} 条记录之前的一条或多条记录已被删除（或被修改了哈希）。")
    if head_row is not None:
        head_hash, head_count = str(head_row[1]), int(head_row[2])
        if head_hash not in hashes:
            report.problems.append("最新的一条或多条记录已被删除（哈希链末端与记录的末端不符）。")
        elif head_count != report.sealed:
            report.problems.append(f"已封存的记录应有 {head_count:,} 条，现有 {report.sealed:,} 条：有记录被删除或插入。")
    elif report.sealed:
        report.problems.append("哈希链末端的记录（设置 audit_chain_head）缺失。")
    return report

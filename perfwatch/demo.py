"""The demo dataset (示例数据): a separate DuckDB file, never mixed with real data.

A newcomer should see a populated dashboard at once. The demo database is built on first use
from the seed targets (the default dataset) plus the reviewable files in ``data/demo/``:

* ``spend.csv``   – project_code, month (YYYY-MM), amount (万元 spent in that month)
* ``results.csv`` – indicator results as of the demo reporting date
* ``reports.csv`` – the owners' 全年预计执行数 and progress text per project

Everything is written through :mod:`perfwatch.store` as the actor ``示例数据`` (role system), so
the demo's audit log and history look like real ones. The file lives at ``data/demo.duckdb``
(gitignored; ``$PERFWATCH_DEMO_DB`` overrides it) and is rebuilt when the inputs change (their
fingerprint is kept next to it). It is built under a temporary name and moved into place, so a
half-built demo is never opened. The real database is never touched.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from perfwatch import dataset, db, entry, store

DEMO_DIR = db.REPO_ROOT / "data" / "demo"
DEFAULT_DEMO_DB = db.REPO_ROOT / "data" / "demo.duckdb"
ENV_DEMO_DB = "PERFWATCH_DEMO_DB"
DEMO_ACTOR = store.Actor("示例数据", "system")
DEMO_SOURCE = "示例数据"
DEMO_AS_OF = dt.date(2024, 7, 31)
DEMO_BANNER = "当前显示的是示例数据，并非真实数据"
BUILDER_VERSION = "1"  # bump when the way the demo is written changes

SPEND_FILE = "spend.csv"
RESULTS_FILE = "results.csv"
REPORTS_FILE = "reports.csv"


class DemoDataError(Exception):
    """A demo input row that does not match the seed targets (message names file and line)."""


@dataclass(frozen=True)
class DemoSummary:
    spend_rows: int
    result_rows: int
    report_rows: int


def demo_db_path() -> Path:
    """Where the demo database lives: ``$PERFWATCH_DEMO_DB`` or ``data/demo.duckdb``."""
    env = os.environ.get(ENV_DEMO_DB)
    return Path(env).expanduser() if env else DEFAULT_DEMO_DB


def _inputs(demo_dir: Path) -> list[Path]:
    return [dataset.DEFAULT_DATASET, demo_dir / SPEND_FILE, demo_dir / RESULTS_FILE, demo_dir / REPORTS_FILE]


def fingerprint(demo_dir: Path = DEMO_DIR) -> str:
    """A hash of everything the demo is built from (inputs, builder and schema versions)."""
    h = hashlib.sha256(BUILDER_VERSION.encode())
    for path in _inputs(demo_dir):
        h.update(path.name.encode())
        h.update(path.read_bytes() if path.exists() else b"<missing>")
    for mig in db.migrations():
        h.update(mig.path.name.encode())
    return h.hexdigest()


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".fingerprint")


def is_current(path: Path | None = None, demo_dir: Path = DEMO_DIR) -> bool:
    """Whether the demo file exists and was built from the current inputs."""
    path = path or demo_db_path()
    stamp = _stamp_path(path)
    return path.exists() and stamp.exists() and stamp.read_text(encoding="utf-8").strip() == fingerprint(demo_dir)


def ensure_demo_db(path: Path | None = None, demo_dir: Path = DEMO_DIR) -> Path:
    """The demo database file, built (or rebuilt after its inputs changed) when needed."""
    path = path or demo_db_path()
    if is_current(path, demo_dir):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.building")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    conn = db.open_database(tmp)
    try:
        build_demo(conn, demo_dir)
        conn.execute("CHECKPOINT")
    finally:
        conn.close()
    os.replace(tmp, path)
    _stamp_path(path).write_text(fingerprint(demo_dir), encoding="utf-8")
    return path


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [(n, {k: (v or "").strip() for k, v in row.items()})
                for n, row in enumerate(csv.DictReader(fh), start=2)]


def _key(text: str | None) -> str:
    """Match key for indicator names: whitespace and punctuation variants removed."""
    return re.sub(r"[\s，,。、；;：:（）()]", "", text or "")


def _date(text: str, where: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise DemoDataError(f"{where}：日期 {text!r} 应为 YYYY-MM-DD") from exc


def _float(text: str) -> float | None:
    return float(text) if text else None


def build_demo(conn: duckdb.DuckDBPyConnection, demo_dir: Path = DEMO_DIR) -> DemoSummary:
    """Load the seed targets and the demo actuals into ``conn`` (a fresh, migrated database)."""
    dataset.load_targets(conn, DEMO_ACTOR, dataset.read_dataset(dataset.DEFAULT_DATASET),
                         source=f"{DEMO_SOURCE}：{dataset.DEFAULT_DATASET.name}")
    projects = {code: int(pid) for pid, code, _ in db.query(conn, "views/demo_project_ids")}

    spend = 0
    for line, row in _rows(demo_dir / SPEND_FILE):
        where = f"{SPEND_FILE} 第 {line} 行"
        pid = projects.get(row["project_code"])
        if pid is None:
            raise DemoDataError(f"{where}：项目编码 {row['project_code']} 不在种子绩效目标中")
        try:
            period = dt.date.fromisoformat(row["month"] + "-01")
        except ValueError as exc:
            raise DemoDataError(f"{where}：月份 {row['month']!r} 应为 YYYY-MM") from exc
        entry.record_spend(conn, DEMO_ACTOR, pid, period, row["amount"], source=DEMO_SOURCE)
        spend += 1

    keys: dict[tuple[str, str, str], list[int]] = {}
    for iid, pcode, sg_seq, level2, level3 in db.query(conn, "views/demo_indicator_keys"):
        owner = pcode if pcode is not None else f"部门整体{sg_seq}"
        keys.setdefault((owner, _key(level2), _key(level3)), []).append(int(iid))
    results = 0
    for line, row in _rows(demo_dir / RESULTS_FILE):
        where = f"{RESULTS_FILE} 第 {line} 行"
        owner = row["project_code"] or f"部门整体{row['sub_goal']}"
        found = keys.get((owner, _key(row["level2"]), _key(row["level3"])))
        if not found:
            raise DemoDataError(f"{where}：找不到指标 {owner} / {row['level2']} / {row['level3']}")
        categories = [c for c in row["cause_categories"].split("|") if c]
        entry.record_result(
            conn, DEMO_ACTOR, found[0], _date(row["as_of"], where) or DEMO_AS_OF,
            value=_float(row["value"]),
            done_date=_date(row["done_date"], where),
            rating=row["rating"] or None,
            projected_text=row["projected_text"] or None,
            cause_categories=categories,
            cause_text=row["cause_text"] or None,
            likelihood=row["likelihood"] or None,
            measure=row["measure"] or None,
            note=DEMO_SOURCE,
        )
        results += 1

    reports = 0
    for line, row in _rows(demo_dir / REPORTS_FILE):
        where = f"{REPORTS_FILE} 第 {line} 行"
        pid = projects.get(row["project_code"])
        if pid is None:
            raise DemoDataError(f"{where}：项目编码 {row['project_code']} 不在种子绩效目标中")
        entry.record_project_report(
            conn, DEMO_ACTOR, pid, _date(row["as_of"], where) or DEMO_AS_OF,
            projected_amount=_float(row["projected_amount"]),
            progress_text=row["progress_text"] or None,
        )
        reports += 1
    return DemoSummary(spend, results, reports)

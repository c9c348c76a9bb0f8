"""Every known error is a Chinese message (issue 16 item 3): CR-only CSV, a 131,073-character cell,
binary garbage named .csv, numeric overflow, a full disk (simulated with a file-size limit on the
command's process) — no traceback, nothing written on refusal."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from perfwatch import db
from perfwatch.importers import results, spend

REPO = Path(__file__).resolve().parents[1]
CODES = ("13052924P00584012128B", "13052924P00584012124W", "13052924P00584210790E")  # seed projects 1–3


def _cli(args: list[str], *, fsize: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run([sys.executable, "-m", "perfwatch", *args], cwd=REPO, capture_output=True, text=True,
                          preexec_fn=limit, timeout=120, check=False)


def test_cr_only_line_ends_are_read() -> None:
    """Test that a CSV saved with old-Mac CR-only line ends reads as rows (not a csv traceback)."""
    data = f"项目编码,月份,金额\r{CODES[0]},2024-03,15000\r{CODES[1]},2024-03,20000\r".encode()
    sf = spend.parse_spend(data, "cr.csv")
    assert not sf.errors and len(sf.rows) == 2


@pytest.mark.parametrize("parse", [spend.parse_spend, results.parse_results])
def test_huge_cell_and_binary_garbage_get_messages(parse: object) -> None:
    """Test that a 131,073-character cell and random bytes named .csv give a Chinese message naming the file."""
    huge = ("项目编码,月份,金额\n" + f"{CODES[0]},2024-03," + "9" * 131_073 + "\n").encode()
    out = parse(huge, "huge.csv")  # type: ignore[operator]
    assert any("huge.csv" in str(e) and "第 2 行" in str(e) and "131,072" in str(e) for e in out.errors)
    garbage = bytes(range(256)) * 40
    out = parse(garbage, "garbage.csv")  # type: ignore[operator]
    assert any("garbage.csv" in str(e) and "二进制" in str(e) for e in out.errors)


def test_numeric_overflow_is_a_message(seed_db_path: Path, tmp_path: Path) -> None:
    """Test that 1e308 and 1e20 amounts are refused by row with a Chinese message and nothing is written."""
    f = tmp_path / "overflow.csv"
    f.write_text(f"项目编码,月份,金额\n{CODES[0]},2024-03,1e308\n{CODES[1]},2024-03,1e20\n", encoding="utf-8")
    r = _cli(["import-spend", str(f), "--db", str(seed_db_path)])
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "第 2 行" in r.stderr and "第 3 行" in r.stderr and "数值过大" in r.stderr
    conn = db.connect(seed_db_path, read_only=True)
    try:
        assert conn.execute("SELECT count(*) FROM spend_entries").fetchone()[0] == 0
    finally:
        conn.close()


def test_full_disk_rolls_back_and_says_so(seed_db_path: Path, tmp_path: Path) -> None:
    """Test that an import whose write hits the file-size limit says 磁盘空间不足 and leaves the data as before."""
    f = tmp_path / "year.csv"
    lines = ["项目编码,月份,金额"] + [f"{c},2024-{m:02d},{m}000" for c in CODES for m in range(1, 13)]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # 4 KB: the database file already exists (larger), but its write-ahead log may not grow past 4 KB.
    r = _cli(["import-spend", str(f), "--db", str(seed_db_path), "--confirm-over-budget"], fsize=4096)
    assert r.returncode == 2, r.stderr
    assert "磁盘空间不足" in r.stderr and "已整体撤销" in r.stderr and "Traceback" not in r.stderr
    conn = duckdb.connect(str(seed_db_path), read_only=True)
    try:
        assert conn.execute("SELECT count(*) FROM spend_entries").fetchone()[0] == 0
    finally:
        conn.close()
    for leftover in seed_db_path.parent.glob("*.wal"):
        os.unlink(leftover)

"""CLI ``indicator set-nature`` / ``set-milestones``: written through the one write path with an
audit row, refused in Chinese (exit 2, nothing written), and the light follows the new nature."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from perfwatch import dataset, db
from perfwatch.cli import main
from perfwatch.status import compute_status

DEPT, PROJ = "315001", "13052924P00584012128B"  # 法律援助经费; indicator 1 = 宣传次数 ≥1 次 (a count)
WHICH = ["--department", DEPT, "--project", PROJ, "--indicator", "1"]


@pytest.fixture
def cli_db(tmp_path: Path) -> Path:
    path = tmp_path / "cli.duckdb"
    dataset.open_seeded(path).close()
    return path


def _state(path: Path) -> tuple[str | None, list[tuple[int, float]], list[tuple[str, str | None, str | None]]]:
    conn = db.open_database(path)
    try:
        ind_id, nature = conn.execute(
            "SELECT i.id, i.nature FROM indicators i JOIN projects p ON p.id = i.project_id WHERE p.code = ? AND i.seq = 1",
            [PROJ]).fetchone()  # type: ignore[misc]
        ms = [(int(m), float(v)) for m, v in conn.execute(
            "SELECT month, value FROM indicator_milestones WHERE indicator_id = ? ORDER BY month", [ind_id]).fetchall()]
        audit = conn.execute(
            "SELECT action, old_value, new_value FROM audit_log WHERE action LIKE 'indicator.%' ORDER BY id").fetchall()
        return nature, ms, audit
    finally:
        conn.close()


def test_set_nature_and_milestones(cli_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test that an admin sets 宣传次数 to one-off with a June milestone: audited old → new, and the
    light at 05-31 turns grey 未到期 (planned in June) instead of the guessed 集中开展 (from the last quarter)."""
    assert _state(cli_db)[0] == "scheduled"  # the importer's guess: 宣传 counted in 次 → 集中开展
    assert main(["indicator", "set-nature", "--db", str(cli_db), *WHICH, "--nature", "one_off"]) == 0
    assert "集中开展 → 一次性" in capsys.readouterr().out
    assert main(["indicator", "set-milestones", "--db", str(cli_db), *WHICH, "--milestones", "6:1"]) == 0
    assert "里程碑（月末累计）：6月:1" in capsys.readouterr().out
    nature, ms, audit = _state(cli_db)
    assert (nature, ms) == ("one_off", [(6, 1.0)])
    assert [(a, json.loads(o), json.loads(n)) for a, o, n in audit] == [
        ("indicator.nature.set", {"nature": "scheduled"}, {"nature": "one_off"}),
        ("indicator.milestones.set", [], [[6, 1.0]]),
    ]
    conn = db.open_database(cli_db)
    try:
        st = compute_status(conn, date(2024, 5, 31))
    finally:
        conn.close()
    row = st.indicators[(st.indicators["project_code"] == PROJ) & (st.indicators["seq"] == 1)].iloc[0]
    assert (row.light, row.reason) == ("grey", "未到期：一次性指标，计划6月完成（灰灯）")
    # the same value again writes nothing
    assert main(["indicator", "set-nature", "--db", str(cli_db), *WHICH, "--nature", "one_off"]) == 0
    assert "未改动" in capsys.readouterr().out
    assert len(_state(cli_db)[2]) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["set-nature", *WHICH, "--nature", "存量"], "未知的指标性质：'存量'"),
        (["set-milestones", *WHICH, "--milestones", "6:2,13:4"], "里程碑月份 13 超出范围，应为 1–12。"),
        (["set-milestones", *WHICH, "--milestones", "6:4,12:4"], "里程碑累计值须逐个递增：6 月为 4，12 月为 4。"),
        (["set-milestones", *WHICH, "--milestones", "12:2,6:4"], "里程碑月份须逐个递增：12 月之后是 6 月。"),
        (["set-milestones", *WHICH, "--milestones", "六月:2"], "里程碑“六月:2”格式有误"),
        (["set-nature", "--department", DEPT, "--project", PROJ, "--indicator", "2", "--nature", "stock"],
         "不是数量指标"),
        (["set-nature", "--department", DEPT, "--project", "NOPE", "--indicator", "1", "--nature", "stock"],
         "找不到部门 315001 项目 NOPE 第 1 个指标"),
    ],
)
def test_refusals(cli_db: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    """Test that bad natures, months outside 1–12, non-increasing milestones and unknown indicators
    are refused with one Chinese line, exit 2, and nothing written."""
    assert main(["indicator", args[0], "--db", str(cli_db), *args[1:]]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and message in err and "Traceback" not in err
    assert _state(cli_db) == ("scheduled", [], [])

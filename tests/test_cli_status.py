"""``python -m perfwatch status``: JSON, CSV and text on the default dataset with spend and results."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from perfwatch import cli
from tests.test_status_engine import P3


@pytest.fixture
def julu_path(julu_db_path: Path) -> Path:
    """The default dataset plus the engine fixture (spend to 2024-07-31, results), closed."""
    return julu_db_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_status_json(julu_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test that the JSON has the documented shape and the hand-computed figures."""
    code, out, _ = run(capsys, "status", "--db", str(julu_path), "--as-of", "2024-07-31", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["as_of"] == "2024-07-31"
    assert [d["code"] for d in data["departments"]] == ["315001"]
    dep = data["departments"][0]
    assert {k: dep[k] for k in ("budget", "spent", "execution_pct", "expected_pct", "time_pct", "light")} == {
        "budget": 122.9, "spent": 42.15, "execution_pct": 34.3, "expected_pct": 56.25, "time_pct": 58.33,
        "light": "yellow"}
    assert dep["name"] == "巨鹿县司法局本级"
    assert len(data["projects"]) == 8
    p = next(x for x in data["projects"] if x["code"] == P3)
    assert p["department_code"] == "315001"
    assert (p["budget"], p["spent"], p["execution_pct"], p["expected_pct"], p["time_pct"]) == (72.0, 20.0, 27.78, 56.25, 58.33)
    assert (p["execution_light"], p["goal_light"], p["combined_light"]) == ("red", "red", "red")
    assert p["projections"] == {"plan_shaped": 35.56, "run_rate": 34.29, "owner": None}
    assert p["reason"].startswith("支出进度：执行率27.78%，计划应达56.25%，比值49.4（<60 红灯）")
    assert len(data["indicators"]) == 79
    ind = next(x for x in data["indicators"] if x["project_code"] == P3 and x["level3"] == "支持办案（业务）数量")
    assert ind["light"] == "red" and ind["actual"] == 30.0 and ind["expected"] == 58.33
    assert ind["reason"] == "实际30件，按序时应达58.3件，完成51.4%（<60 红灯）"
    assert ind["target_text"] == "≥100 件" and ind["level1"] == "产出指标" and ind["level2"] == "数量指标"
    dept_level = [x for x in data["indicators"] if x["project_code"] is None]
    assert len(dept_level) == 23 and all(x["level3"] for x in dept_level)
    lights = {"green", "yellow", "red", "blue", "grey"}
    assert {x["light"] for x in data["indicators"]} <= lights and {x["combined_light"] for x in data["projects"]} <= lights


def test_status_json_department_filter(julu_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "status", "--db", str(julu_path), "--as-of", "2024-07-31", "--department", "315001",
                       "--format", "json")
    assert code == 0 and len(json.loads(out)["projects"]) == 8


def test_status_csv_tables(julu_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test the CSV tables: projects (default), indicators and departments."""
    code, out, _ = run(capsys, "status", "--db", str(julu_path), "--as-of", "2024-07-31", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 8
    p3 = next(r for r in rows if r["code"] == P3)
    assert (p3["budget"], p3["spent"], p3["execution_pct"], p3["ratio"], p3["execution_light"]) == (
        "72.00", "20.00", "27.78", "49.40", "red")
    assert p3["next_checkpoint_month"] == "10" and p3["to_next_checkpoint"] == "34.00"
    code, out, _ = run(capsys, "status", "--db", str(julu_path), "--as-of", "2024-07-31", "--format", "csv",
                       "--table", "indicators")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 79 and rows[0]["project_code"] == ""          # department-level indicators first
    assert {"id", "level3", "light", "reason", "actual", "expected"} <= set(rows[0])
    code, out, _ = run(capsys, "status", "--db", str(julu_path), "--as-of", "2024-07-31", "--format", "csv",
                       "--table", "departments")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows == [rows[0]] and rows[0]["light"] == "yellow" and rows[0]["execution_pct"] == "34.30"


def test_status_text(julu_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test the aligned Chinese summary."""
    code, out, _ = run(capsys, "status", "--db", str(julu_path), "--as-of", "2024-07-31")
    assert code == 0
    assert "绩效运行监控  截至 2024-07-31" in out
    assert "预算 122.90 万元，已支出 42.15 万元，执行率 34.30%，计划应达 56.25%，序时进度 58.33%，支出灯 黄灯" in out
    assert "巨鹿县司法局本级" in out and "红灯、黄灯指标（7 个）" in out  # 法律援助工作总成本 no longer yellow (§5a: projection capped at budget)
    assert "实际30件，按序时应达58.3件，完成51.4%（<60 红灯）" in out
    assert "超预算" in out  # project 5 is overspent


def test_status_defaults_to_last_data_date(julu_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test that without --as-of the last month-end with data is used (08-31: August spend)."""
    code, out, _ = run(capsys, "status", "--db", str(julu_path), "--format", "json")
    assert code == 0 and json.loads(out)["as_of"] == "2024-08-31"


def test_status_does_not_change_the_file(julu_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test that an existing database is only read."""
    before = julu_path.read_bytes()
    assert run(capsys, "status", "--db", str(julu_path), "--as-of", "2024-07-31")[0] == 0
    assert julu_path.read_bytes() == before


def test_status_errors(julu_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test the one-line Chinese errors: bad date (usage error), unknown department, wrong year."""
    with pytest.raises(SystemExit) as exc:
        cli.main(["status", "--db", str(julu_path), "--as-of", "2024-13-01"])
    assert exc.value.code == 2
    assert "日期应为 YYYY-MM-DD 格式" in capsys.readouterr().err
    code, _, err = run(capsys, "status", "--db", str(julu_path), "--department", "999999")
    assert code == 2 and err.strip() == "错误：没有单位代码为 999999 的部门。"
    code, _, err = run(capsys, "status", "--db", str(julu_path), "--department", "315001", "--as-of", "2023-07-31")
    assert code == 2 and "没有 2023 年度的数据" in err and "Traceback" not in err


def test_status_on_a_new_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Test that a missing database is created with the default dataset (like every command)."""
    code, out, _ = run(capsys, "status", "--db", str(tmp_path / "new.duckdb"), "--as-of", "2024-03-31", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert len(data["projects"]) == 8 and all(p["spent"] == 0.0 for p in data["projects"])

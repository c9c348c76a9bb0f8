"""The demo dataset (示例数据): built from the committed CSVs through the write path into its own
read-only file, telling the story data/demo/README.md describes."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from perfwatch import dataset, db, demo
from perfwatch.status import compute_status


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database built once for this module."""
    return demo.ensure_demo_db(tmp_path_factory.mktemp("demo") / "demo.duckdb")


def _csv_rows(name: str) -> int:
    with (demo.DEMO_DIR / name).open(encoding="utf-8") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def test_every_demo_row_is_written_by_the_demo_actor(demo_file: Path) -> None:
    """Test that every CSV row lands in the demo database, entered by 示例数据 and audited."""
    conn = db.open_database(demo_file, read_only=True)
    try:
        assert db.query(conn, "views/actuals_count") == [(_csv_rows("spend.csv"), _csv_rows("results.csv"))]
        assert conn.execute("SELECT count(*) FROM project_reports").fetchone()[0] == _csv_rows("reports.csv")
        actors = {r[0] for r in conn.execute(
            "SELECT DISTINCT entered_by FROM spend_entries UNION SELECT DISTINCT entered_by FROM indicator_results"
        ).fetchall()}
        assert actors == {"示例数据"}
        audited = conn.execute("SELECT count(*) FROM audit_log WHERE actor = '示例数据' AND entity = 'spend_entries'").fetchone()[0]
        assert audited == _csv_rows("spend.csv")
    finally:
        conn.close()


def test_demo_tells_its_story(demo_file: Path) -> None:
    """Test the demo's lights at 2024-07-31: one project not started, some behind, one nearly all spent."""
    conn = db.open_database(demo_file, read_only=True)
    try:
        s = compute_status(conn, demo.DEMO_AS_OF, department_id=1)
    finally:
        conn.close()
    p = s.projects.set_index("name")
    assert s.total["budget"] == pytest.approx(122.90)
    assert s.total["spent"] == pytest.approx(46.85)
    assert p.loc["法治工作经费", "spent"] == 0 and p.loc["法治工作经费", "execution_light"] == "red"
    assert p.loc["冀财政法2023年49号提前下达2024年中央政法纪检监察转移支付资金-司法局", "execution_light"] == "red"
    assert p.loc["人民调解经费", "execution_light"] == "yellow"
    assert p.loc["法律援助经费", "execution_light"] == "green"
    nearly = p.loc["冀财政法2023年51号提前下达2024年社区矫正补助资金"]
    assert nearly["spent"] / nearly["budget"] > 0.9
    lights = set(s.indicators["light"])
    assert {"red", "yellow", "green", "blue", "grey"} <= lights
    # Causes and measures are entered for lagging indicators.
    lagging = s.indicators[s.indicators["light"] == "red"]
    assert lagging["measure"].notna().sum() >= 3


def test_demo_file_is_read_only_for_the_app(demo_file: Path) -> None:
    """Test that the app's connection to the demo refuses writes (nothing can be mixed into it)."""
    conn = db.open_database(demo_file, read_only=True)
    try:
        with pytest.raises(duckdb.Error):
            conn.execute("INSERT INTO settings (key, value, updated_by) VALUES ('x', '1', 'x')")
    finally:
        conn.close()


def test_demo_is_rebuilt_only_when_its_inputs_change(tmp_path: Path, demo_file: Path) -> None:
    """Test that an up-to-date demo is reused and a changed CSV triggers a rebuild."""
    target = tmp_path / "demo.duckdb"
    shutil.copy(demo_file, target)
    (tmp_path / "demo.duckdb.fingerprint").write_text(demo.fingerprint(), encoding="utf-8")
    before = target.stat().st_mtime_ns
    assert demo.ensure_demo_db(target) == target and target.stat().st_mtime_ns == before
    inputs = tmp_path / "inputs"
    shutil.copytree(demo.DEMO_DIR, inputs)
    with (inputs / "spend.csv").open("a", encoding="utf-8") as fh:
        fh.write("13052924P00584012124W,2024-07,0.10\n")
    assert not demo.is_current(target, inputs)
    demo.ensure_demo_db(target, inputs)
    conn = db.open_database(target, read_only=True)
    try:
        assert db.query(conn, "views/actuals_count")[0][0] == _csv_rows("spend.csv") + 1
    finally:
        conn.close()
    assert demo.is_current(target, inputs)
    assert not list(tmp_path.glob(".*building*"))


def test_a_bad_demo_row_is_named(tmp_path: Path) -> None:
    """Test that a CSV row that matches no seed project or indicator is reported with file and line."""
    inputs = tmp_path / "inputs"
    shutil.copytree(demo.DEMO_DIR, inputs)
    with (inputs / "results.csv").open("a", encoding="utf-8") as fh:
        fh.write("13052924P00584012128B,,数量指标,不存在的指标,2024-07-31,1,,,,,,,\n")
    with pytest.raises(demo.DemoDataError, match=r"results.csv 第 \d+ 行"):
        demo.ensure_demo_db(tmp_path / "bad.duckdb", inputs)
    assert not (tmp_path / "bad.duckdb").exists()


def test_demo_never_touches_the_real_database(tmp_path: Path, demo_file: Path) -> None:
    """Test that building the demo leaves the real database file as it was."""
    real = tmp_path / "real.duckdb"
    dataset.open_seeded(real).close()
    before = real.read_bytes()
    demo.ensure_demo_db(tmp_path / "demo.duckdb")
    assert real.read_bytes() == before
    assert demo.demo_db_path() != db.resolve_db_path(None)
    assert demo.DEMO_AS_OF == dt.date(2024, 7, 31)

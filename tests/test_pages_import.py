"""The 目标导入 page under AppTest: paste the document, review, commit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from perfwatch import dataset

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "data" / "seed" / "julu-justice-bureau-2024-targets.txt"
EDU = REPO / "tests" / "fixtures" / "targets"


@pytest.fixture
def app_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, point_app: Callable[[Path], Path]) -> Iterator[Path]:
    """A fresh database with the seed, sign-in off (acting as local admin), caches cleared."""
    path = tmp_path / "app.duckdb"
    dataset.open_seeded(path).close()
    yield point_app(path)


def test_paste_preview_and_commit_another_department(app_db: Path) -> None:
    """Test that pasting another department's document previews it with findings and commits it."""
    doc = sorted(EDU.glob("*.txt"))[0]
    at = AppTest.from_file(str(REPO / "pages" / "targets" / "import_targets.py"), default_timeout=60).run()
    assert not at.exception
    at.text_area[0].input(doc.read_text(encoding="utf-8")).run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["项目数"]) >= 2
    assert any("审核发现" in m.value for m in at.markdown)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert any("已写入" in s.value for s in at.success)
    at2 = AppTest.from_file(str(REPO / "pages" / "targets" / "targets.py"), default_timeout=60).run()
    assert len(at2.selectbox) == 1 and len(at2.selectbox[0].options) == 2  # two departments now


def test_garbled_paste_shows_the_line(app_db: Path) -> None:
    """Test that a garbled value is reported with its line number and nothing is offered for commit."""
    text = SEED.read_text(encoding="utf-8").replace("≥80%", "≥ 八十%", 1)
    at = AppTest.from_file(str(REPO / "pages" / "targets" / "import_targets.py"), default_timeout=60).run()
    at.text_area[0].input(text).run()
    assert not at.exception
    assert any("行" in e.value and "八十" in e.value for e in at.error)
    assert not any(b.label == "确认写入数据库" for b in at.button)


def test_reimport_of_the_seed_changes_nothing(app_db: Path) -> None:
    """Test that pasting the seed into a database that has it reports zero changes."""
    at = AppTest.from_file(str(REPO / "pages" / "targets" / "import_targets.py"), default_timeout=60).run()
    at.text_area[0].input(SEED.read_text(encoding="utf-8")).run()
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert any("新增项目 0，更新项目 0" in s.value for s in at.success)

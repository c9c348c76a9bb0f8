"""The Streamlit frame and the first page under AppTest (no browser)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, point_app: Callable[[Path], Path]) -> Iterator[Path]:
    """A fresh database for the app, sign-in off, and no cache leaking between tests."""
    path = tmp_path / "app.duckdb"
    yield point_app(path)


def test_dashboard_starts_and_shows_the_seed(app_env: Path) -> None:
    """Test that dashboard.py runs without exception on a new database and creates it with the seed."""
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    assert app_env.exists()


def test_targets_page_shows_projects_budget_and_indicators(app_env: Path) -> None:
    """Test that the targets page lists 8 projects, the 122.90 total and every project's indicators."""
    at = AppTest.from_file(str(REPO / "pages" / "targets" / "targets.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["项目数"] == "8" and metrics["预算合计（万元）"] == "122.90"
    assert metrics["绩效指标数"] == str(56 + 23)
    projects = at.dataframe[0].value
    assert len(projects) == 8
    assert list(projects["预算数"]) == ["2.00", "1.00", "72.00", "26.00", "2.90", "2.00", "7.00", "10.00"]
    # one per project, one per 分项目标, and the admin count-settings editor's two lists of names it cuts
    assert len(at.expander) == 8 + 4 + 2


def test_locked_database_shows_a_message(app_env: Path) -> None:
    """Test that a database the app cannot open gives a Chinese message and no traceback."""
    app_env.write_bytes(b"not a database" * 50)
    at = AppTest.from_file(str(REPO / "pages" / "targets" / "targets.py"), default_timeout=60).run()
    assert not at.exception
    assert any("无法识别" in e.value for e in at.error)
    assert app_env.read_bytes() == b"not a database" * 50

"""The layers of the web app: only perfwatch.web imports streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_only_perfwatch_web_imports_streamlit() -> None:
    """Domain modules stay usable from the CLI and tests without a Streamlit runtime."""
    offenders = [
        path.relative_to(REPO).as_posix()
        for path in sorted((REPO / "perfwatch").rglob("*.py"))
        if "web" not in path.relative_to(REPO / "perfwatch").parts[:1]
        and any(m == "streamlit" or m.startswith("streamlit.") for m in _imported_modules(path))
    ]
    assert offenders == []
    assert not (REPO / "perfwatch" / "ui.py").exists()
    web_modules = sorted((REPO / "perfwatch" / "web").glob("*.py"))
    assert any("streamlit" in _imported_modules(p) for p in web_modules)  # the check would see it


def test_web_modules_are_small() -> None:
    """Each module of the web package reads in one sitting (issue 11: under 500 lines)."""
    for path in (REPO / "perfwatch" / "web").glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) < 500, path.name


def _page_problems(path: Path) -> list[str]:
    """What makes a page fat: it imports the database module, names a SQL file or runs a query by name."""
    text = path.read_text(encoding="utf-8")
    modules = _imported_modules(path)
    from_perfwatch = {alias.name for node in ast.walk(ast.parse(text)) if isinstance(node, ast.ImportFrom)
                      and node.module == "perfwatch" for alias in node.names}
    problems = []
    if "perfwatch.db" in modules or "db" in from_perfwatch or "duckdb" in modules:
        problems.append("imports the database module")
    if '.sql"' in text or ".sql'" in text:
        problems.append("names a SQL file")
    if "ui.df(" in text or "web.df(" in text or "db.query" in text:
        problems.append("runs a query by SQL name")
    return problems


def test_pages_are_thin() -> None:
    """Issue 11 item 5: no page imports the database module, names a SQL file or runs a raw query
    through web.df / ui.df; those live behind named functions (perfwatch.web.reads, perfwatch.pageviews)."""
    found = {p.relative_to(REPO).as_posix(): _page_problems(p) for p in sorted((REPO / "pages").rglob("*.py"))}
    assert len(found) == 18
    assert {k: v for k, v in found.items() if v} == {}


def test_thin_page_check_sees_a_fat_page(tmp_path: Path) -> None:
    """The scan above catches each thing it looks for (a fat page written on purpose)."""
    fat = tmp_path / "fat.py"
    fat.write_text('from perfwatch import db, web\nrows = web.df("departments")\nname = "x.sql"\n', encoding="utf-8")
    assert _page_problems(fat) == ["imports the database module", "names a SQL file", "runs a query by SQL name"]


def test_file_uploader_says_types_and_limit_in_chinese() -> None:
    """The upload box names the accepted types and the size limit in Chinese (Streamlit's own line is
    English) and swaps the English button text through constant CSS."""
    from streamlit.testing.v1 import AppTest

    def app() -> None:
        from perfwatch.web.widgets import file_uploader

        file_uploader("支出文件", ["csv", "xlsx"], key="u")

    at = AppTest.from_function(app, default_timeout=30).run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert any(c.startswith("支持 CSV、XLSX 文件，单个文件不超过 ") and c.endswith(" MB。") for c in captions), captions
    assert any("选择文件" in m.value for m in at.markdown)

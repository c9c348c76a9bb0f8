"""The layers of the web app: only perfwatch.web imports streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd

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


def test_tables_show_two_decimals_half_up_with_separators() -> None:
    """A table cell shows what the monitoring form (xlsx) and the brief (PDF) print: 2.175 万元 as
    2.18 (half-up on the decimal form; the browser alone would cut the binary 2.17499… to 2.17),
    1234567.891 as 1,234,567.89, a missing amount as "—", 比值 with 1 decimal, never "None"."""
    import json

    from streamlit.testing.v1 import AppTest

    def app() -> None:
        import pandas as pd

        from perfwatch.web.widgets import dataframe

        dataframe(pd.DataFrame({"项目名称": ["甲", None, "丙"], "金额（万元）": [2.175, 1234567.891, None],
                                "比值": [0.35, 1.0, 2.25], "个数": [1, 2, 3]}), decimals={"比值": 1})

    at = AppTest.from_function(app, default_timeout=30).run()
    assert not at.exception
    table = at.dataframe[0]
    shown = table.value
    # by hand: 2.175 → 2.18, 1234567.891 → 1234567.89, 0.35 → 0.4, 2.25 → 2.3 (half-up)
    assert shown["金额（万元）"].tolist()[:2] == [2.18, 1234567.89] and pd.isna(shown["金额（万元）"].iloc[2])
    assert shown["比值"].tolist() == [0.4, 1.0, 2.3]
    assert shown["项目名称"].tolist() == ["甲", "", "丙"]
    config = json.loads(table.proto.columns)
    # "localized" = the browser's own digit grouping (zh-CN: 1,234,567.89); the step fixes the decimals
    assert config["金额（万元）"]["type_config"] == {"type": "number", "format": "localized", "step": 0.01}
    assert config["比值"]["type_config"]["step"] == 0.1
    assert "个数" not in config  # whole numbers as they are
    assert table.proto.placeholder == "—"


def test_name_columns_fit_a_grid_by_cutting_the_fewest_names() -> None:
    """Test that name columns that fit keep their full widths, and that when they do not, the widths
    chosen cut the fewest names, the room left going to the last name column.

    By hand (14 px a Chinese character, 28 px cell padding): 项目 needs 28 + 28 = 56 px for its header
    and 甲乙 alike, 三级指标 84 px for its header and 10 × 14 + 28 = 168 px for its longest name."""
    from perfwatch.web.widgets import fitted_name_columns

    frame = pd.DataFrame({"项目": ["甲乙", "甲" * 30], "三级指标": ["丙" * 10, "丁"]})

    def widths(room: int) -> dict[str, int]:
        return {c: v["width"] for c, v in fitted_name_columns(frame, room).items()}

    # 甲×30 needs 30 × 14 + 28 = 448 px; 448 + 168 = 616 px fit in 700
    assert widths(700) == {"项目": 448, "三级指标": 168}
    # in 400 px: 项目 at 448 leaves no room for 三级指标's header (84), so 项目 is as narrow as its
    # names but the long one allow (56, one name cut) and 三级指标 keeps 168 (none cut)
    assert widths(400) == {"项目": 56, "三级指标": 168}
    # in 200 px: 项目 at 56 again (甲×30 cut) and the 200 − 56 = 144 px left go to 三级指标, which then cuts 丙×10
    assert widths(200) == {"项目": 56, "三级指标": 144}

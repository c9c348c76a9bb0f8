"""The pages/ folder: one subfolder per menu section, never a page file directly in pages/.

Streamlit (1.67, ``streamlit.runtime.scriptrunner.script_runner._mpa_v1``) auto-discovers
``pages/*.py`` at the top level only; such a file opened by a deep link as the first request after
start runs without dashboard.py, i.e. without sign-in (TESTING.md "Deep links"). Pages one folder
down are not discovered, so the frame always runs first.
"""

from __future__ import annotations

from pathlib import Path

from perfwatch import navigation

REPO = Path(__file__).resolve().parent.parent
PAGES_DIR = REPO / "pages"
SECTIONS = {"monitor", "entry", "targets", "meeting", "admin", "account"}


def test_no_python_file_directly_in_pages() -> None:
    """A .py at the top of pages/ would be a sign-in bypass (Streamlit's automatic discovery)."""
    top = sorted(p.name for p in PAGES_DIR.glob("*.py"))
    assert top == [], f"page files directly in pages/ are run without sign-in: {top}"


def test_streamlit_discovery_glob_finds_nothing() -> None:
    """The exact glob Streamlit's v1 multipage discovery uses (pages_folder.glob("*.py")) is empty,
    while the registered pages do exist one level down."""
    assert list((REPO / "dashboard.py").resolve().parent.joinpath("pages").glob("*.py")) == []
    assert len(list(PAGES_DIR.glob("*/*.py"))) == len(navigation.PAGES) + 1  # + the sign-in page


def test_every_page_file_is_registered_in_its_section() -> None:
    """Every page file is in the registry and every registry entry names an existing file in a
    section folder; nothing deeper than pages/<section>/<page>.py."""
    specs = (*navigation.PAGES, navigation.LOGIN_PAGE)
    registered = {spec.path for spec in specs}
    on_disk = {p.relative_to(REPO).as_posix() for p in PAGES_DIR.rglob("*.py")}
    assert registered == on_disk
    for spec in specs:
        parts = Path(spec.path).parts
        assert len(parts) == 3 and parts[0] == "pages" and parts[1] in SECTIONS, spec.path


def test_url_paths_are_stable() -> None:
    """Bookmarks keep working: the URL of each page is its former file stem (e.g. /spend), whatever
    folder the file lives in. Listed by hand."""
    expected = {"overview", "spend", "indicators", "project", "departments", "targets", "import_targets",
                "entry_spend", "entry_results", "completeness", "meeting", "reports", "admin_users",
                "admin_audit", "admin_rules", "admin_backup", "login", "project_report"}
    specs = (*navigation.PAGES, navigation.LOGIN_PAGE)
    assert {spec.url_path for spec in specs} == expected
    for spec in specs:
        assert spec.url_path == Path(spec.path).stem

"""The light vocabulary and the period helpers are defined once (issue 11 item 2)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import duckdb
import pytest

from perfwatch import periods, vocab

REPO = Path(__file__).resolve().parents[1]
LIGHT_WORDS = {"red", "yellow", "green", "blue", "grey", "gray"}

# Files still restating a light map, owned by another developer during the house refactor.
# Each entry is removed once that file moves onto perfwatch.vocab; the list must only shrink.
PENDING: set[str] = set()


def _sources() -> list[Path]:
    roots = [REPO / "perfwatch", REPO / "pages"]
    files = [p for root in roots if root.is_dir() for p in root.rglob("*.py")]
    return files + [p for p in (REPO / "dashboard.py",) if p.is_file()]


def _restatements(path: Path) -> list[str]:
    """Dict literals keyed by light names, and literal lists of every light (an order restated)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
            if len(keys & LIGHT_WORDS) >= 2:
                found.append(f"line {node.lineno}: dict keyed by lights {sorted(keys & LIGHT_WORDS)}")
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            items = {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
            if len(items & LIGHT_WORDS) >= 4:
                found.append(f"line {node.lineno}: literal list of lights {sorted(items & LIGHT_WORDS)}")
    return found


def test_light_vocabulary_is_defined_only_in_vocab() -> None:
    """Test that no module outside perfwatch/vocab.py spells out a light map or the light order."""
    offenders = {}
    for path in _sources():
        rel = path.relative_to(REPO).as_posix()
        if rel == "perfwatch/vocab.py" or rel in PENDING:
            continue
        hits = _restatements(path)
        if hits:
            offenders[rel] = hits
    assert offenders == {}, "light vocabulary restated outside perfwatch/vocab.py: " + repr(offenders)


def test_pending_list_only_names_files_that_still_restate() -> None:
    """Test that a file moved onto the vocabulary is taken off the pending list."""
    stale = [rel for rel in PENDING if not (REPO / rel).is_file() or not _restatements(REPO / rel)]
    assert stale == []


def test_vocabulary_is_consistent() -> None:
    """Test that every light has a name, a label, a colour, a UI colour and a severity."""
    for light in vocab.LIGHTS:
        assert vocab.LIGHT_NAMES[light].endswith("灯")
        assert vocab.LIGHT_LABELS[light].startswith(vocab.LIGHT_NAMES[light])
        assert vocab.LIGHT_COLORS[light].startswith("#")
        assert light in vocab.SEVERITY
    # One Streamlit colour name per light; yellow is "yellow" (never "orange").
    assert vocab.LIGHT_UI_COLORS == {"red": "red", "yellow": "yellow", "green": "green", "blue": "blue", "grey": "gray"}
    assert vocab.worst(["green", "blue", "grey"]) == "green"
    assert vocab.worst(["grey", "grey"]) == "grey"
    assert vocab.worst(["green", "red", "yellow"]) == "red"
    assert [vocab.lag_rank(x) for x in ("red", "黄灯", "green")] == [0, 1, 2]
    assert vocab.is_lagging("黄") and not vocab.is_lagging("blue") and not vocab.is_lagging(None)


# Day d of month m = m − 1 + d / days in month (DOMAIN §3), by hand:
@pytest.mark.parametrize(
    ("as_of", "year", "months"),
    [
        (dt.date(2024, 7, 31), 2024, 7.0),
        (dt.date(2024, 2, 29), 2024, 2.0),          # leap February ends at 2.0
        (dt.date(2024, 1, 15), 2024, 15 / 31),
        (dt.date(2024, 3, 31), 2024, 3.0),
        (dt.date(2023, 12, 31), 2024, 0.0),         # before the fiscal year
        (dt.date(2025, 1, 1), 2024, 12.0),          # after it
    ],
)
def test_months_elapsed_python_and_sql_macro_agree(
    empty_db: duckdb.DuckDBPyConnection, as_of: dt.date, year: int, months: float
) -> None:
    """Test that the Python helper and the pw_months_elapsed macro give the hand-computed months."""
    assert periods.months_elapsed(as_of, year) == pytest.approx(months, abs=1e-12)
    row = empty_db.cursor().execute("SELECT pw_months_elapsed($d, $y)", {"d": as_of, "y": year}).fetchone()
    assert row is not None and row[0] == pytest.approx(months, abs=1e-12)


@pytest.mark.parametrize(
    ("last", "today", "expected"),
    [
        (dt.date(2024, 7, 20), dt.date(2024, 9, 5), dt.date(2024, 7, 31)),   # the month of the last data
        (None, dt.date(2024, 9, 5), dt.date(2024, 8, 31)),                   # no data: last full month
        (None, dt.date(2024, 1, 10), dt.date(2024, 1, 31)),                  # January at the earliest
        (None, dt.date(2026, 3, 1), dt.date(2024, 12, 31)),                  # a past year: December
        (dt.date(2025, 2, 1), dt.date(2026, 3, 1), dt.date(2024, 12, 31)),  # data after the year
    ],
)
def test_one_default_reporting_month(last: dt.date | None, today: dt.date, expected: dt.date) -> None:
    """Test the one default 截至 rule used by the dashboard, the entry pages and the reports."""
    assert periods.default_as_of(last, 2024, today) == expected
    assert periods.default_month(2024, today, last) == expected.month


def test_reporting_as_of_is_today_while_the_month_runs() -> None:
    """Test that a running month reports as of today, a finished one as of its last day."""
    assert periods.reporting_as_of(2024, 7, dt.date(2024, 7, 15)) == dt.date(2024, 7, 15)
    assert periods.reporting_as_of(2024, 7, dt.date(2024, 9, 1)) == dt.date(2024, 7, 31)
    assert periods.reporting_as_of(2024, 7, dt.date(2024, 6, 1)) == dt.date(2024, 7, 1)

"""Every SQL file runs against a freshly migrated temporary database with data in it."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import duckdb
import pytest

from perfwatch import db

QUERY_NAMES = sorted(
    str(p.relative_to(db.QUERIES_DIR).with_suffix("")).replace("\\", "/")
    for p in db.QUERIES_DIR.rglob("*.sql")
    if "migrations" not in p.parts
)

# Parameter values by name; a file may override with a header line
# "-- test-params: {json object}".
_BY_NAME: dict[str, Any] = {
    "as_of": dt.date(2024, 7, 31),
    "period": dt.date(2024, 7, 1),
    "done_date": dt.date(2024, 6, 30),
    "fiscal_year": 2024,
    "year": 2024,
    "month": 7,
    "old_value": None,
    "new_value": '{"a": 1}',
    "cause_categories": ["经费保障"],
    "rating": "达成",
    "likelihood": "确定能",
    "comparator": ">=",
    "kind": "count",
    "deadline": dt.date(2024, 12, 31),
    "key": "test.key",
    "value": 1.0,
    "locked": True,
    "plan_method": "linear",
    "execution_rule": "ratio",
    "count_blue_from": 120.0,
    "grey_before_first_checkpoint": True,
}


def _guess(name: str) -> Any:
    if name in _BY_NAME:
        return _BY_NAME[name]
    if name == "id" or name.endswith("_id"):
        return 1
    if name.startswith(("is_", "has_")):
        return True
    if name.endswith(("amount", "pct", "budget", "funds", "value", "_below", "_above", "_pp", "tolerance")):
        return 1.0
    if name.endswith(("_at", "_date", "_from", "_to", "_until", "_since")):
        return dt.date(2024, 7, 31)
    if name.endswith("seq"):
        return 99  # clear of the fixture's own sequence numbers
    if name.endswith(("count", "limit")):
        return 1
    return "x"


def _params(name: str) -> dict[str, Any]:
    text = db.load_query(name)
    override: dict[str, Any] = {}
    m = re.search(r"^--\s*test-params:\s*(\{.*\})\s*$", text, re.MULTILINE)
    if m:
        override = json.loads(m.group(1))
    return {p: override.get(p, _guess(p)) for p in db.query_params(name)}


def _register_relations(cur: duckdb.DuckDBPyConnection, name: str) -> None:
    """Register the relations a query reads, declared in its header as
    "-- test-relations: {"rel": "other/query"}", from the results of those queries (recursively)."""
    m = re.search(r"^--\s*test-relations:\s*(\{.*\})\s*$", db.load_query(name), re.MULTILINE)
    for rel, source in (json.loads(m.group(1)) if m else {}).items():
        _register_relations(cur, source)
        cur.register(rel, cur.sql(db.load_query(source), params=_params(source)).to_arrow_table())


def test_there_are_query_files() -> None:
    """Test that the query files are found (a wrong path would make the next test vacuous)."""
    assert "departments" in QUERY_NAMES and "store/insert_spend" in QUERY_NAMES


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_query_file_runs(mini_db: duckdb.DuckDBPyConnection, name: str) -> None:
    """Test that queries/<name>.sql parses, binds its $params and runs (writes are rolled back)."""
    cur = mini_db.cursor()
    cur.begin()
    try:
        _register_relations(cur, name)
        cur.execute(db.load_query(name), _params(name))
    finally:
        cur.rollback()

"""Shared fixtures: every test gets its own DuckDB file in a temp directory."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from perfwatch import dataset, db, store

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _isolate_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the developer's own database and settings out of tests."""
    monkeypatch.setenv(db.ENV_DB, str(tmp_path / "default-env.duckdb"))


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A freshly migrated database with no data: for tests that load their own."""
    conn = db.open_database(tmp_path / "empty.duckdb")
    yield conn
    conn.close()


@pytest.fixture
def seed_db_path(tmp_path: Path) -> Path:
    """A database file holding the default dataset (the seed targets), closed for the caller to open."""
    path = tmp_path / "seed.duckdb"
    dataset.open_seeded(path).close()
    return path


@pytest.fixture
def seed_db(seed_db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An open database holding the default dataset (巨鹿县司法局 2024)."""
    conn = db.open_database(seed_db_path)
    yield conn
    conn.close()


@pytest.fixture
def mini_data() -> dict[str, Any]:
    """A small hand-written dataset (2 projects, one with 其他资金) independent of the parser."""
    return json.loads((FIXTURES / "mini.targets.json").read_text(encoding="utf-8"))


@pytest.fixture
def mini_db(empty_db: duckdb.DuckDBPyConnection, mini_data: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    """The mini dataset loaded into a fresh database."""
    dataset.load_targets(empty_db, store.SYSTEM, mini_data)
    return empty_db


@pytest.fixture
def point_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], Path]]:
    """Point the Streamlit app (for AppTest) at a database file: sign-in off (no accounts), run
    from the repository, and no cached connection or query result leaking in or out of the test."""
    import streamlit as st

    def point(path: Path) -> Path:
        monkeypatch.setenv(db.ENV_DB, str(path))
        monkeypatch.setenv("PERFWATCH_AUTH", "off")
        monkeypatch.chdir(REPO)
        st.cache_data.clear()
        st.cache_resource.clear()
        return path

    yield point
    st.cache_data.clear()
    st.cache_resource.clear()

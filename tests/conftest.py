"""Shared fixtures: every test gets its own DuckDB file in a temp directory."""

from __future__ import annotations

import json
import shutil
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


@pytest.fixture(scope="session")
def seed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default dataset imported once per test process; tests get their own copy of the file."""
    path = tmp_path_factory.mktemp("templates") / "seed.duckdb"
    dataset.open_seeded(path).close()
    return path


@pytest.fixture(scope="session")
def julu_template(seed_template: Path) -> Path:
    """The default dataset plus spend to 2024-07-31 and some results (tests/fixtures/engine_julu_2024-07.json),
    written through the write path once per test process; tests get their own copy."""
    from tests.test_status_engine import FIXTURES, load_engine_fixture

    path = seed_template.with_name("julu.duckdb")
    shutil.copyfile(seed_template, path)
    conn = db.open_database(path)
    load_engine_fixture(conn, FIXTURES / "engine_julu_2024-07.json")
    conn.close()
    return path


@pytest.fixture
def seed_db_path(tmp_path: Path, seed_template: Path) -> Path:
    """A database file holding the default dataset (the seed targets), closed for the caller to open:
    this test's own copy of the imported file (a file copy is much quicker than importing again)."""
    path = tmp_path / "seed.duckdb"
    shutil.copyfile(seed_template, path)
    return path


@pytest.fixture
def julu_db_path(tmp_path: Path, julu_template: Path) -> Path:
    """This test's own copy of :func:`julu_template`, closed for the caller to open."""
    path = tmp_path / "julu.duckdb"
    shutil.copyfile(julu_template, path)
    return path


@pytest.fixture
def julu(julu_db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An open database: the default dataset plus spend to 2024-07-31 and some results."""
    conn = db.open_database(julu_db_path)
    yield conn
    conn.close()


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
def point_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Path]]:
    """Point the Streamlit app (for AppTest) at a database file: sign-in off (no accounts) unless
    ``sign_in``, run from the repository, and no cached connection or query result leaking in or out
    of the test."""
    import streamlit as st

    def point(path: Path, *, sign_in: bool = False) -> Path:
        monkeypatch.setenv(db.ENV_DB, str(path))
        if sign_in:
            monkeypatch.delenv("PERFWATCH_AUTH", raising=False)
        else:
            monkeypatch.setenv("PERFWATCH_AUTH", "off")
        monkeypatch.chdir(REPO)
        st.cache_data.clear()
        st.cache_resource.clear()
        return path

    yield point
    st.cache_data.clear()
    st.cache_resource.clear()

"""The only perfwatch module that imports streamlit: cached connection and query wrappers,
and the shared way pages report a database that cannot be opened.
"""

from __future__ import annotations

from typing import Any, Mapping

import duckdb
import pandas as pd
import streamlit as st

from perfwatch import db

QUERY_TTL_SECONDS = 60


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    # One connection per database file, shared across sessions; every query takes its own cursor.
    return db.open_database(path)


def db_path() -> str:
    """The database file this session looks at."""
    return str(db.resolve_db_path(None))


def connection() -> duckdb.DuckDBPyConnection:
    """The open database, or a clear message on the page and a stop (never a traceback)."""
    try:
        return _connection(db_path())
    except db.DatabaseError as exc:
        st.error(exc.message, icon="🚫")
        st.stop()
        raise  # unreachable; st.stop() raises


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def _cached_df(path: str, name: str, params: tuple[tuple[str, Any], ...]) -> pd.DataFrame:
    return db.query_df(_connection(path), name, dict(params))


def df(name: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """``queries/<name>.sql`` as a DataFrame, cached for a minute (cleared on every write)."""
    connection()
    return _cached_df(db_path(), name, tuple(sorted((params or {}).items())))


def after_write() -> None:
    """Forget cached query results once something was written."""
    _cached_df.clear()

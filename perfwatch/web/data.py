"""Cached reads: the guarded connection of pages, queries and the engine's Status, cached for a
minute per database file and cleared on every write (:func:`after_write`)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

import duckdb
import pandas as pd
import streamlit as st

from perfwatch import db
from perfwatch import status as _status
from perfwatch.web.conn import _connection, db_path
from perfwatch.web.session import require_visitor

QUERY_TTL_SECONDS = 60


def connection() -> duckdb.DuckDBPyConnection:
    """The open database, or a clear message on the page and a stop (never a traceback).

    Also the sign-in guard of every page: see :func:`require_visitor`.
    """
    require_visitor()
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
    _cached_status.clear()
    _cached_last_data.clear()


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def _cached_last_data(path: str, department_id: int) -> dt.date | None:
    return _status.last_data_date(_connection(path), department_id)


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner="正在计算监控结果……")
def _cached_status(path: str, as_of: dt.date, department_id: int | None, fiscal_year: int | None) -> Any:
    return _status.compute_status(_connection(path), as_of, department_id=department_id, fiscal_year=fiscal_year)

"""Cached reads: the guarded connection of pages, queries and the engine's Status.

Caches are keyed by the database file and its data version (:func:`data_version`: the last audit
row, bumped by every write through perfwatch.store, also by the CLI or another server process), so a
cached result is never stale and is rebuilt only after data changed. The TTL only bounds memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from perfwatch import db
from perfwatch import status as _status
from perfwatch.web.conn import _connection, db_path
from perfwatch.web.session import require_visitor

QUERY_TTL_SECONDS = 60 * 60  # memory bound only: the data version keeps caches fresh
MAX_CACHED = 512


def data_version(path: str | None = None) -> tuple[int, int]:
    """(last audit id, audit rows) of the database: changes with every write, never with a read."""
    row = db.query(_connection(path or db_path()), "data_version")[0]
    return int(row[0]), int(row[1])


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


@st.cache_data(ttl=QUERY_TTL_SECONDS, max_entries=MAX_CACHED, show_spinner=False)
def _cached_df(path: str, version: tuple[int, int], name: str, params: tuple[tuple[str, Any], ...]) -> pd.DataFrame:
    return db.query_df(_connection(path), name, dict(params))


def df(name: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """``queries/<name>.sql`` as a DataFrame, cached per data version (never stale)."""
    connection()
    path = db_path()
    return _cached_df(path, data_version(path), name, tuple(sorted((params or {}).items())))


def after_write() -> None:
    """Forget cached query results once something was written."""
    _cached_df.clear()
    _cached_status.clear()
    _cached_last_data.clear()
    _cached_shared.clear()


def cached_last_data(path: str, department_id: int) -> dt.date | None:
    """The department's last data date, cached per data version."""
    return _cached_last_data(path, data_version(path), department_id)


def cached_status(path: str, as_of: dt.date, department_id: int | None, fiscal_year: int | None) -> Any:
    """The engine's Status, cached per data version."""
    return _cached_status(path, data_version(path), as_of, department_id, fiscal_year)


@st.cache_data(ttl=QUERY_TTL_SECONDS, max_entries=MAX_CACHED, show_spinner=False)
def _cached_last_data(path: str, version: tuple[int, int], department_id: int) -> dt.date | None:
    return _status.last_data_date(_connection(path), department_id)


@st.cache_data(ttl=QUERY_TTL_SECONDS, max_entries=MAX_CACHED, show_spinner="正在计算监控结果……")
def _cached_status(path: str, version: tuple[int, int], as_of: dt.date, department_id: int | None,
                   fiscal_year: int | None) -> Any:
    return _status.compute_status(_connection(path), as_of, department_id=department_id, fiscal_year=fiscal_year)


def cached_shared(path: str, key: tuple[Hashable, ...], build: Callable[[], Any]) -> Any:
    """``build()`` once per data version and ``key``, the one object shared by every session
    (read-only: a caller never changes it). ``key`` names what is built and everything it is built
    from besides the data; its first item names the kind ("figure", "completeness", …)."""
    return _cached_shared(path, data_version(path), key, build)


@st.cache_resource(ttl=QUERY_TTL_SECONDS, max_entries=MAX_CACHED, show_spinner=False)
def _cached_shared(path: str, version: tuple[int, int], key: tuple[Hashable, ...], _build: Callable[[], Any]) -> Any:
    return _build()

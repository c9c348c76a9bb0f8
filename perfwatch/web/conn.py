"""Which database file this session looks at and its shared, cached connection.

The real database ($PERFWATCH_DB or data/perfwatch.duckdb) or, while 查看示例数据 is on and a
dashboard page is running, the separate read-only demo file (perfwatch.demo). No sign-in check
here: pages reach the database through :func:`perfwatch.web.data.connection`, which guards.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import streamlit as st

from perfwatch import dataset, db
from perfwatch import demo as _demo

DEMO_KEY = "pw_demo"
DEMO_PAGES_KEY = "_pw_demo_pages"

LOCKED_READ_ONLY_NOTE = (
    "说明：DuckDB 不允许在另一个程序以读写方式打开该文件时再以只读方式打开，"
    "因此现在也无法只读查看。对方关闭后刷新本页即可。"
)


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    # One connection per database file, shared across sessions; every query takes its own cursor.
    # The demo database (示例数据) is opened read-only: nothing can ever be written into it.
    # Seeding an empty database is the frame's step (perfwatch.db never imports the dataset).
    return dataset.open_seeded(path, read_only=_is_demo_path(path))


def real_db_path() -> str:
    """The real database file ($PERFWATCH_DB or data/perfwatch.duckdb), whatever the demo flag."""
    return str(db.resolve_db_path(None))


@st.cache_resource(show_spinner="正在准备示例数据……")
def _demo_database(path: str) -> str:
    return str(_demo.ensure_demo_db(Path(path)))


def demo_db_path() -> str:
    """The demo database file, built on first use."""
    return _demo_database(str(_demo.demo_db_path()))


def _is_demo_path(path: str) -> bool:
    return Path(path).resolve() == _demo.demo_db_path().resolve()


def page_hash() -> str | None:
    """Streamlit's hash of the running page (None outside a Streamlit run)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return None if ctx is None else ctx.page_script_hash


def demo_active() -> bool:
    """Whether this run shows the demo: the toggle is on and the running page is a dashboard page."""
    try:
        if not st.session_state.get(DEMO_KEY):
            return False
        return page_hash() in st.session_state.get(DEMO_PAGES_KEY, set())
    except Exception:  # outside a Streamlit run
        return False


def enable_demo() -> None:
    """Switch the session to the demo (callback of the 查看示例数据 button on an empty dashboard)."""
    st.session_state[DEMO_KEY] = True
    st.session_state[f"_keep_{DEMO_KEY}"] = True


def db_path() -> str:
    """The database file this session looks at: the demo file while 查看示例数据 is on and a
    dashboard page is running (see perfwatch.web.context.sidebar_context), else the real one."""
    if demo_active():
        return demo_db_path()
    return real_db_path()


def frame_connection() -> duckdb.DuckDBPyConnection:
    """The real database for the frame (accounts live there, never in the demo), or a clear
    message and a stop; a locked file also says why read-only is impossible."""
    try:
        return _connection(real_db_path())
    except db.DatabaseError as exc:
        text = exc.message + ("\n\n" + LOCKED_READ_ONLY_NOTE if exc.reason == "locked" else "")
        st.error(text, icon=":material/error:")
        st.stop()
        raise  # unreachable; st.stop() raises

"""The frame's pieces for dashboard.py: the st.Page of a registry entry and the sidebar user box."""

from __future__ import annotations

import datetime as dt
import gc
import re
import threading
from typing import Any

import duckdb
import streamlit as st

from perfwatch import auth
from perfwatch.navigation import PageSpec
from perfwatch.store import ROLE_LABELS, Actor
from perfwatch.web.conn import frame_connection
from perfwatch.web.session import ENV_AUTH, sign_out

BACKUP_WARN_DAYS = 7

_FROZEN = threading.Event()


def freeze_startup_heap() -> None:
    """Once per server process: move the objects alive after start-up (the imported libraries:
    pandas, pyarrow, DuckDB, Plotly, Streamlit) out of the garbage collector's view (gc.freeze).

    Every full collection otherwise walks those hundreds of thousands of long-lived objects again,
    holding the interpreter lock while every session waits; with many sessions at once (a meeting
    opening the dashboard together) that was about half of the server's CPU per page. Objects made
    later are collected as usual."""
    if _FROZEN.is_set():
        return
    _FROZEN.set()
    import plotly.graph_objects  # noqa: F401  (the charts' library: part of the long-lived heap)

    gc.collect()
    gc.freeze()


def nav_page(spec: PageSpec) -> Any:
    """The st.Page of a registry entry."""
    return st.Page(spec.path, title=spec.title, icon=spec.icon, default=spec.default, url_path=spec.url_path)


def backup_status(conn: duckdb.DuckDBPyConnection) -> tuple[str, bool]:
    """A line about the last backup for admins, and whether it is a warning (none / too old)."""
    from perfwatch import backup

    last = backup.last_backup(conn)
    if last is None:
        return "尚无备份记录，请在“数据备份”页或用 python -m perfwatch backup 备份。", True
    at = last[0]
    age = dt.datetime.now() - at
    text = f"上次备份：{at:%Y-%m-%d %H:%M}（{'今天' if age.days <= 0 else f'{age.days} 天前'}）"
    if backup.backup_is_stale(at, dt.datetime.now()):
        return text + f"，已超过 {BACKUP_WARN_DAYS} 天，请尽快备份。", True
    return text, False


def user_box(actor: Actor, mode: str) -> None:
    """The sidebar block: who is signed in, the role, 退出登录; backup age for admins."""
    conn = frame_connection()
    with st.sidebar:
        if mode == "public":
            st.caption("会议屏幕模式：未登录，只读。")
            return
        name = auth.display_name_of(conn, actor.username) if mode == "signed_in" else actor.username
        st.markdown(f"**{_md_escape(name)}**　{ROLE_LABELS.get(actor.role, actor.role)}")
        if mode == "dev":
            st.caption(f"开发模式（{ENV_AUTH}=off）：未启用登录。")
        else:
            # A callback, so it takes effect before whichever script the rerun runs.
            st.button("退出登录", key="auth_sign_out", on_click=sign_out, args=("已退出登录。",))
        if actor.role == "admin":
            text, warn = backup_status(conn)
            (st.warning if warn else st.caption)(text)


def _md_escape(text: str) -> str:
    """User text inside markdown: escape the characters markdown would interpret."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", text)

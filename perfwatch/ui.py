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


# ---------------------------------------------------------------- sign-in and sessions (issue 8)
# The rules live in perfwatch.auth; this is only the Streamlit glue: the session's actor in
# st.session_state["actor"], the idle timeout, single sign-on through st.login, and the frame's
# sidebar. PERFWATCH_AUTH=off is for development and tests only (see dev_actor).

import datetime as dt  # noqa: E402  (this section's imports, kept with it)
import os  # noqa: E402
import re  # noqa: E402

from perfwatch import auth  # noqa: E402
from perfwatch.navigation import PageSpec  # noqa: E402
from perfwatch.store import ROLE_LABELS, Actor  # noqa: E402

ENV_AUTH = "PERFWATCH_AUTH"
ENV_ROLE = "PERFWATCH_ROLE"
ENV_PROJECTS = "PERFWATCH_PROJECTS"
ACTOR_KEY = "actor"
_LAST_SEEN_KEY = "auth_last_seen"
_NOTICE_KEY = "auth_notice"
_OIDC_REFUSED_KEY = "auth_oidc_refused"
BACKUP_WARN_DAYS = 7

LOCKED_READ_ONLY_NOTE = (
    "说明：DuckDB 不允许在另一个程序以读写方式打开该文件时再以只读方式打开，"
    "因此现在也无法只读查看。对方关闭后刷新本页即可。"
)


def frame_connection() -> duckdb.DuckDBPyConnection:
    """Like :func:`connection`, for the frame: a locked file also says why read-only is impossible."""
    try:
        return _connection(db_path())
    except db.DatabaseError as exc:
        text = exc.message + ("\n\n" + LOCKED_READ_ONLY_NOTE if exc.reason == "locked" else "")
        st.error(text, icon="🚫")
        st.stop()
        raise  # unreachable; st.stop() raises


def dev_actor(conn: duckdb.DuckDBPyConnection) -> Actor | None:
    """Development/test escape hatch: with ``PERFWATCH_AUTH=off`` and no accounts in the database,
    everyone is a local user of role ``PERFWATCH_ROLE`` (default admin; an owner gets the projects
    whose codes are in ``PERFWATCH_PROJECTS``, comma-separated). Once any account exists the
    variable is ignored and sign-in is required."""
    if os.environ.get(ENV_AUTH, "").strip().lower() != "off" or auth.has_users(conn):
        return None
    role = os.environ.get(ENV_ROLE, "admin").strip() or "admin"
    if role not in auth.ROLES:
        role = "leader"
    ids: frozenset[int] | None = None
    if role == "owner":
        codes = [c.strip() for c in os.environ.get(ENV_PROJECTS, "").split(",") if c.strip()]
        ids = frozenset(int(r[0]) for c in codes for r in db.query(conn, "auth/projects_by_code", {"code": c}))
    return Actor("本机用户", role, ids)


def oidc_configured() -> bool:
    """Whether single sign-on is set up (an [auth] section in .streamlit/secrets.toml)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _oidc_email() -> str | None:
    try:
        if st.user.is_logged_in:
            email = st.user.get("email")
            return str(email) if email else ""
    except Exception:
        return None
    return None


def sign_in(actor: Actor) -> None:
    """Make ``actor`` this session's user."""
    st.session_state[ACTOR_KEY] = actor
    st.session_state[_LAST_SEEN_KEY] = dt.datetime.now()
    st.session_state.pop(_NOTICE_KEY, None)


def sign_out(notice: str | None = None) -> None:
    """Forget this session's user (and the single sign-on cookie, if any)."""
    for key in (ACTOR_KEY, _LAST_SEEN_KEY):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[_NOTICE_KEY] = notice
    if _oidc_email() is not None:
        st.session_state[_OIDC_REFUSED_KEY] = "signed_out"
        st.logout()


def take_notice() -> str | None:
    """A message for the sign-in page (e.g. the session timed out), shown once."""
    return st.session_state.pop(_NOTICE_KEY, None)


def oidc_refusal() -> str | None:
    """Why a single sign-on identity was not let in (for the sign-in page), if it was refused."""
    value = st.session_state.get(_OIDC_REFUSED_KEY)
    return None if value in (None, "signed_out") else str(value)


def _signed_in(conn: duckdb.DuckDBPyConnection) -> Actor | None:
    """The session's actor after the idle timeout and a fresh look at the account (disabled
    accounts and changed assignments take effect on the next page load)."""
    actor = st.session_state.get(ACTOR_KEY)
    now = dt.datetime.now()
    if actor is not None:
        if auth.session_expired(st.session_state.get(_LAST_SEEN_KEY), now, auth.idle_timeout(conn)):
            minutes = int(auth.idle_timeout(conn).total_seconds() // 60)
            sign_out(f"超过 {minutes} 分钟未操作，已自动退出登录，请重新登录。")
            return None
        fresh = auth.actor_for(conn, actor.username)
        if fresh is None:
            sign_out("该账号已被停用或删除，已退出登录。")
            return None
        st.session_state[ACTOR_KEY] = fresh
        st.session_state[_LAST_SEEN_KEY] = now
        return fresh
    email = _oidc_email()
    if email is not None and st.session_state.get(_OIDC_REFUSED_KEY) is None:
        try:
            fresh = auth.authenticate_oidc(conn, email, now)
        except auth.AuthError as exc:
            st.session_state[_OIDC_REFUSED_KEY] = str(exc)
            return None
        sign_in(fresh)
        return fresh
    return None


def frame_actor() -> tuple[Actor | None, str]:
    """Who is looking, for dashboard.py: (actor, mode), mode one of
    ``signed_in``, ``dev`` (PERFWATCH_AUTH=off), ``public`` (meeting screen, no sign-in), ``anonymous``."""
    conn = frame_connection()
    actor = _signed_in(conn)
    if actor is not None:
        return actor, "signed_in"
    actor = dev_actor(conn)
    if actor is not None:
        return actor, "dev"
    if auth.has_users(conn) and auth.public_screen_enabled(conn):
        return Actor("访客", "leader", frozenset()), "public"
    return None, "anonymous"


def current_actor() -> Actor | None:
    """The signed-in actor of this session (or the development actor), else None."""
    actor = st.session_state.get(ACTOR_KEY)
    if actor is not None:
        return actor
    return dev_actor(connection())


def require_role(*roles: str) -> Actor:
    """The current actor if its role is one of ``roles``; otherwise a message and a stop.

    Pages call this as well as the frame hiding them: a page run on its own is still guarded
    (the write functions check again on the server).
    """
    actor = current_actor()
    if actor is None:
        st.error("请先登录。", icon="🔐")
        st.stop()
    assert actor is not None
    if actor.role not in roles:
        st.error("您的角色无权访问此页面。", icon="⛔")
        st.stop()
    return actor


def nav_page(spec: PageSpec) -> Any:
    """The st.Page of a registry entry."""
    return st.Page(spec.path, title=spec.title, icon=spec.icon, default=spec.default, url_path=spec.url_path)


def backup_status(conn: duckdb.DuckDBPyConnection) -> tuple[str, bool]:
    """A line about the last backup for admins, and whether it is a warning (none / too old)."""
    rows = db.query(conn, "auth/last_backup")
    if not rows:
        return "尚无备份记录。请运行 python -m perfwatch backup 或在“数据备份”页备份。", True
    at = rows[0][0]
    age = dt.datetime.now() - at
    text = f"上次备份：{at:%Y-%m-%d %H:%M}（{'今天' if age.days <= 0 else f'{age.days} 天前'}）"
    if age > dt.timedelta(days=BACKUP_WARN_DAYS):
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
        elif st.button("退出登录", key="auth_sign_out"):
            sign_out("已退出登录。")
            st.rerun()
        if actor.role == "admin":
            text, warn = backup_status(conn)
            (st.warning if warn else st.caption)(text)


def _md_escape(text: str) -> str:
    """User text inside markdown: escape the characters markdown would interpret."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", text)

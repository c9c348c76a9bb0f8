"""Who is looking: sign-in, the session's actor, the idle timeout, single sign-on and the
role guards of pages.

The rules live in perfwatch.auth; this is only the Streamlit glue: the session's actor in
st.session_state["actor"], the idle timeout, single sign-on through st.login. PERFWATCH_AUTH=off
is for development and tests only (see :func:`dev_actor`).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import duckdb
import streamlit as st

from perfwatch import auth, db
from perfwatch.navigation import pages_for
from perfwatch.store import Actor
from perfwatch.web.conn import frame_connection

ENV_AUTH = "PERFWATCH_AUTH"
ENV_ROLE = "PERFWATCH_ROLE"
ENV_PROJECTS = "PERFWATCH_PROJECTS"
ACTOR_KEY = "actor"
_LAST_SEEN_KEY = "auth_last_seen"
_NOTICE_KEY = "auth_notice"
_OIDC_REFUSED_KEY = "auth_oidc_refused"
_PUBLIC_KEY = "auth_public_visitor"
PUBLIC_VISITOR = Actor("访客", "leader", frozenset())  # the meeting screen: read-only, public pages only


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
        st.session_state[_PUBLIC_KEY] = True
        return PUBLIC_VISITOR, "public"
    st.session_state.pop(_PUBLIC_KEY, None)
    return None, "anonymous"


def require_visitor() -> None:
    """Stop a page that runs without the frame having let this visitor in, or that is not one of
    the visitor's pages.

    Streamlit runs a page file directly, without dashboard.py, in every AppTest run of a page file,
    and -- had a page file sat directly in pages/ -- for a deep link (e.g. /targets) as the
    first request after the server starts; pages live in pages/<section>/ for that reason. Pages reach the database only through
    :func:`connection`, which calls this, so none of them shows data to a visitor who is not signed
    in (or let in as the development actor or the public meeting screen), nor a page outside the
    visitor's role.
    """
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
    except Exception:
        ctx = None
    if ctx is None:  # bare Python, not a Streamlit run
        return
    actor: Actor | None = st.session_state.get(ACTOR_KEY)
    public_only = False
    if actor is None:
        conn = frame_connection()
        actor = dev_actor(conn)
        if actor is None and st.session_state.get(_PUBLIC_KEY) and auth.public_screen_enabled(conn):
            actor, public_only = PUBLIC_VISITOR, True
    if actor is None:
        st.error("请先登录。", icon=":material/lock:")
        st.stop()
    assert actor is not None
    if not _page_allowed(ctx, actor.role, public_only):
        st.error("您的角色无权访问此页面。", icon=":material/block:")
        st.stop()


def _page_allowed(ctx: Any, role: str, public_only: bool) -> bool:
    """Whether the running page is one of the role's pages (by Streamlit's page hash)."""
    from streamlit.util import calc_hash

    current = ctx.page_script_hash
    if current in ("", ctx.pages_manager.main_script_hash):
        return True  # the page is the app itself (AppTest.from_file on a page, or no frame at all)
    allowed = set()
    for specs in pages_for(role, public_only=public_only).values():
        for spec in specs:
            stem = Path(spec.path).stem
            allowed.update({calc_hash(spec.url_path or stem), calc_hash(stem)})
    return current in allowed


def current_actor() -> Actor | None:
    """The signed-in actor of this session (or the development actor), else None."""
    actor = st.session_state.get(ACTOR_KEY)
    if actor is not None:
        return actor
    return dev_actor(frame_connection())


def require_role(*roles: str) -> Actor:
    """The current actor if its role is one of ``roles``; otherwise a message and a stop.

    Pages call this as well as the frame hiding them: a page run on its own is still guarded
    (the write functions check again on the server).
    """
    actor = current_actor()
    if actor is None:
        st.error("请先登录。", icon=":material/lock:")
        st.stop()
    assert actor is not None
    if actor.role not in roles:
        st.error("您的角色无权访问此页面。", icon=":material/block:")
        st.stop()
    return actor

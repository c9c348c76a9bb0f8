"""Stable links (issue 15 item 2): every page's URL (e.g. /spend, /meeting?theme=dark) works for every
visitor, without Streamlit's English "Page not found" dialog.

- Signed out, every page is registered hidden at its own URL and shows the sign-in page instead,
  remembering the page and its query parameters; after sign-in the visitor is on that page with
  those parameters (the URL never changed, or :func:`go_to_requested` switches back to it).
- Signed in, a page outside the role's menu is registered hidden and says the role may not open it;
  /login and / go on to the first page of the menu (so the default page keeps its own URL too).
- Leaving the meeting screen (which collapses the sidebar) expands the sidebar again.
"""

from __future__ import annotations

import runpy
from dataclasses import replace
from typing import Any

import streamlit as st

from perfwatch import db
from perfwatch.navigation import LOGIN_PAGE, PAGES, PageSpec, pages_for
from perfwatch.store import Actor
from perfwatch.web.frame import nav_page

REQUESTED_KEY = "_pw_requested_page"  # (url_path, query parameters) asked for while signed out
_LAST_PAGE_KEY = "_pw_last_page"
SIDEBAR_COLLAPSING_PAGES = frozenset({"meeting"})  # pages that collapse the sidebar (st.set_page_config)


def _run_sign_in() -> None:
    """The sign-in page script (pages/account/login.py), run in place of the page asked for."""
    runpy.run_path(str(db.REPO_ROOT / LOGIN_PAGE.path), run_name="__main__")


def sign_in_stand_in(spec: PageSpec) -> Any:
    """A hidden page at ``spec``'s URL that remembers the request and shows sign-in."""

    def show() -> None:
        if spec.url_path != LOGIN_PAGE.url_path:
            st.session_state[REQUESTED_KEY] = (spec.url_path, st.query_params.to_dict())
        _run_sign_in()

    show.__name__ = f"sign_in_for_{spec.url_path}"
    return st.Page(show, title=LOGIN_PAGE.title, icon=LOGIN_PAGE.icon, url_path=spec.url_path, visibility="hidden")


def not_allowed_stand_in(spec: PageSpec) -> Any:
    """A hidden page at ``spec``'s URL for a signed-in role that may not open it."""

    def show() -> None:
        st.title(spec.title)
        st.error("您的角色无权访问此页面。请从左侧菜单选择可用的页面。", icon=":material/block:")

    show.__name__ = f"not_allowed_{spec.url_path}"
    return st.Page(show, title=spec.title, icon=spec.icon, url_path=spec.url_path, visibility="hidden")


def _redirect(target: PageSpec, url_path: str, *, default: bool = False) -> Any:
    """A hidden page at ``url_path`` that goes straight on to ``target`` (query parameters kept)."""

    def show() -> None:
        st.switch_page(nav_page(target), query_params=st.query_params.to_dict() or None)

    show.__name__ = f"redirect_{url_path}"
    return st.Page(show, title=target.title, icon=target.icon, url_path=url_path, default=default, visibility="hidden")


def build_navigation(actor: Actor | None, mode: str) -> Any:
    """``st.navigation`` for this visitor; every page URL is registered (hidden where not in the menu).

    Streamlit gives the default page the URL "/" only (its own name is then "Page not found"), so the
    default is a hidden page at "/" that goes on to the first menu page: every page keeps its URL.
    """
    if actor is None:
        # The root URL shows sign-in too; "start" only names it (the default page is always "/").
        root = st.Page(_run_sign_in, title=LOGIN_PAGE.title, icon=LOGIN_PAGE.icon, url_path="start", default=True)
        return st.navigation([root, *(sign_in_stand_in(p) for p in (*PAGES, LOGIN_PAGE))], position="hidden")
    public = mode == "public"
    groups = pages_for(actor.role, public_only=public)
    specs = [replace(p, default=False) for section in groups.values() for p in section]
    menu: dict[str, list[Any]] = {section: [nav_page(replace(p, default=False)) for p in items]
                                  for section, items in groups.items()}
    shown = {p.url_path for p in specs}
    others = [p for p in PAGES if p.url_path not in shown]
    if not specs:
        return st.navigation([st.Page(_run_sign_in, title=LOGIN_PAGE.title, url_path="start", default=True)],
                             position="hidden")
    first = replace(next((p for section in groups.values() for p in section if p.default), specs[0]), default=False)
    root = _redirect(first, "start", default=True)
    if public:
        # A flat top bar (no section drop-downs) keeps 登录 in sight even where a page collapses the
        # sidebar (the meeting screen).
        flat = [page for pages in menu.values() for page in pages]
        return st.navigation([*flat, nav_page(LOGIN_PAGE), *(sign_in_stand_in(p) for p in others), root],
                             position="top")
    # hidden pages ride in the last section (a section of only hidden pages would show a bare header)
    menu[list(menu)[-1]].extend([*(not_allowed_stand_in(p) for p in others), _redirect(first, LOGIN_PAGE.url_path or "login"), root])
    return st.navigation(menu, expanded=True)


def go_to_requested(pg: Any) -> None:
    """After sign-in: on to the page asked for while signed out, with its query parameters
    (when the URL still shows it, nothing to do)."""
    requested = st.session_state.pop(REQUESTED_KEY, None)
    if not requested:
        return
    url_path, params = requested
    if pg.url_path == url_path:
        if params and not st.query_params.to_dict():
            st.query_params.from_dict(params)
        return
    spec = next((p for p in PAGES if p.url_path == url_path), None)
    if spec is not None:
        st.switch_page(nav_page(spec), query_params=params or None)


def restore_sidebar(pg: Any) -> None:
    """Expand the sidebar again on the first page after one that collapsed it (by title: the default
    page's url_path is "")."""
    collapsing = {p.title for p in PAGES if p.url_path in SIDEBAR_COLLAPSING_PAGES}
    last = st.session_state.get(_LAST_PAGE_KEY)
    st.session_state[_LAST_PAGE_KEY] = pg.title
    if last in collapsing and pg.title not in collapsing:
        st.set_page_config(initial_sidebar_state="expanded")

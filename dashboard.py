"""perfwatch (绩效运行监控看板): the frame. Page config, who is looking, their pages, run.

Before sign-in only the sign-in page exists (it also creates the first administrator on a new
database); after sign-in the menu holds the pages of the actor's role (perfwatch.navigation).
Development and tests only: PERFWATCH_AUTH=off on a database without accounts skips sign-in
(see perfwatch.web.session.dev_actor).
"""

from __future__ import annotations

import streamlit as st

from perfwatch import web
from perfwatch.navigation import LOGIN_PAGE, pages_for

st.set_page_config(page_title="绩效运行监控看板", page_icon="📊", layout="wide")

actor, mode = web.frame_actor()
if actor is None:
    pg = st.navigation([web.nav_page(LOGIN_PAGE)], position="hidden")
else:
    menu = {
        section: [web.nav_page(p) for p in specs]
        for section, specs in pages_for(actor.role, public_only=mode == "public").items()
    }
    if mode == "public":
        menu[LOGIN_PAGE.section] = [web.nav_page(LOGIN_PAGE)]
    pg = st.navigation(menu, expanded=True)
    web.user_box(actor, mode)
pg.run()

"""perfwatch (绩效运行监控看板): the frame. Page config, who is looking, their pages, run.

Every page URL is registered for every visitor (perfwatch.web.links): before sign-in each one shows
the sign-in page (it also creates the first administrator on a new database) and remembers the page
and its query parameters, so that after sign-in the visitor is on that page; after sign-in the menu
holds the pages of the actor's role (perfwatch.navigation).
Development and tests only: PERFWATCH_AUTH=off on a database without accounts skips sign-in
(see perfwatch.web.session.dev_actor).
"""

from __future__ import annotations

import streamlit as st

from perfwatch import web

st.set_page_config(page_title="绩效运行监控看板", page_icon="📊", layout="wide")
web.freeze_startup_heap()

actor, mode = web.frame_actor()
pg = web.links.build_navigation(actor, mode)
if actor is not None:
    web.links.go_to_requested(pg)
    web.user_box(actor, mode)
web.links.restore_sidebar(pg)
pg.run()

"""perfwatch (绩效运行监控看板): the frame. Page config, the page list, run."""

from __future__ import annotations

import streamlit as st

from perfwatch.navigation import pages_for

st.set_page_config(page_title="绩效运行监控看板", page_icon="📊", layout="wide")

pg = st.navigation(
    {
        section: [
            st.Page(p.path, title=p.title, icon=p.icon, default=p.default, url_path=p.url_path)
            for p in specs
        ]
        for section, specs in pages_for(None).items()
    }
)
pg.run()

"""perfwatch (绩效运行监控看板): the frame. Page config, the page list, run."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="绩效运行监控看板", page_icon="📊", layout="wide")

pages = {
    "绩效目标": [
        st.Page("pages/targets.py", title="项目与绩效目标", icon="📋", default=True),
    ],
}

pg = st.navigation(pages)
pg.run()

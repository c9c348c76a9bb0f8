"""The web layer: the only perfwatch package that imports streamlit.

- :mod:`perfwatch.web.conn` — which database file, its shared connection (real or demo);
- :mod:`perfwatch.web.session` — sign-in, the session's actor, role guards;
- :mod:`perfwatch.web.data` — the guarded connection of pages, cached queries, ``after_write``;
- :mod:`perfwatch.web.reads` — named reads for pages (a page never names a SQL file);
- :mod:`perfwatch.web.context` — the dashboard sidebar (DashboardContext), cached Status;
- :mod:`perfwatch.web.widgets` — light badges and tables, pickers, refused writes as messages;
- :mod:`perfwatch.web.frame` — the st.Page of a registry entry and the sidebar user box;
- :mod:`perfwatch.web.links` — dashboard.py's navigation: every page URL works signed out and in.

Pages use ``from perfwatch import web`` and the names re-exported here.
"""

from __future__ import annotations

from perfwatch.web import links, reads
from perfwatch.web.conn import (
    LOCKED_READ_ONLY_NOTE,
    _connection,
    db_path,
    demo_active,
    demo_db_path,
    enable_demo,
    frame_connection,
    real_db_path,
)
from perfwatch.web.context import (
    DashboardContext,
    figure,
    light_history,
    no_actuals,
    shared,
    sidebar_context,
    spend_series,
    status,
)
from perfwatch.web.data import QUERY_TTL_SECONDS, after_write, connection, df
from perfwatch.web.forms import result_form
from perfwatch.web.frame import BACKUP_WARN_DAYS, backup_status, freeze_startup_heap, nav_page, user_box
from perfwatch.web.session import (
    ACTOR_KEY,
    ENV_AUTH,
    PUBLIC_VISITOR,
    current_actor,
    dev_actor,
    frame_actor,
    oidc_configured,
    oidc_refusal,
    require_role,
    require_visitor,
    sign_in,
    sign_out,
    take_notice,
)
from perfwatch.web.widgets import (
    PreparedTable,
    attempt,
    data_editor,
    dataframe,
    file_uploader,
    full_names,
    light_badge,
    light_counts_row,
    light_dataframe,
    light_markdown,
    light_md_color,
    pick_department,
    prepare_light_table,
    prepare_table,
    show_table,
)

__all__ = [
    "ACTOR_KEY", "BACKUP_WARN_DAYS", "ENV_AUTH", "LOCKED_READ_ONLY_NOTE", "PUBLIC_VISITOR", "QUERY_TTL_SECONDS",
    "DashboardContext", "PreparedTable", "_connection", "after_write", "attempt", "backup_status", "connection", "current_actor", "data_editor",
    "dataframe", "db_path", "demo_active", "demo_db_path", "dev_actor", "df", "enable_demo", "figure", "file_uploader", "frame_actor",
    "frame_connection", "freeze_startup_heap", "full_names",
    "light_history",
    "light_badge", "light_counts_row", "light_dataframe", "light_markdown", "light_md_color", "links", "nav_page", "no_actuals", "oidc_configured",
    "oidc_refusal", "pick_department", "prepare_light_table", "prepare_table", "reads", "real_db_path", "result_form", "shared", "show_table", "require_role", "require_visitor", "sign_in", "sign_out",
    "sidebar_context", "spend_series", "status", "take_notice", "user_box",
]

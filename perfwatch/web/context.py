"""The dashboard pages' shared sidebar (department, year, 截至日期, 查看示例数据) and the demo banner.

The demo database is a separate, read-only file (perfwatch.demo); it is only ever shown on the pages
that call :func:`sidebar_context`, so data entry and admin pages always see the real database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from perfwatch import db, pageviews, views
from perfwatch import demo as _demo
from perfwatch.cells import as_int
from perfwatch.textsafe import md
from perfwatch.web.conn import DEMO_KEY, DEMO_PAGES_KEY, db_path, demo_active, enable_demo, page_hash
from perfwatch.web.data import cached_last_data, cached_shared, cached_status, connection, df


@dataclass(frozen=True)
class DashboardContext:
    """What the sidebar selected, for a dashboard page."""

    department_id: int
    department_code: str
    department_name: str
    fiscal_year: int
    as_of: dt.date
    demo: bool
    last_data_date: dt.date | None
    departments: pd.DataFrame  # every department-year of the database (departments.sql)

    @property
    def has_actuals(self) -> bool:
        return self.last_data_date is not None

    @property
    def year_departments(self) -> int:
        return int((self.departments["fiscal_year"] == self.fiscal_year).sum())


def status(ctx: DashboardContext, *, all_departments: bool = False) -> Any:
    """The engine's Status (perfwatch.status.compute_status) for the context, cached for a minute.

    ``all_departments``: every department of the context's fiscal year (部门汇总).
    """
    connection()
    if all_departments:
        return cached_status(db_path(), ctx.as_of, None, ctx.fiscal_year)
    return cached_status(db_path(), ctx.as_of, ctx.department_id, None)


def light_history(ctx: DashboardContext) -> Any:
    """Each project's combined light at each month end from March to the 截至 month: the status
    engine at each month end (≤ 10 cached calls), as a :class:`perfwatch.meeting.LightHistory`."""
    from perfwatch import meeting

    connection()
    return meeting.light_history({me: cached_status(db_path(), me, ctx.department_id, None)
                                  for me in meeting.history_months(ctx.as_of)})


def spend_series(ctx: DashboardContext, project_id: int | None = None) -> pd.DataFrame:
    """Monthly spend of the context's department (or one project), cached like :func:`df`."""
    params = {"year": ctx.fiscal_year, "project_id": project_id,
              "department_id": None if project_id is not None else ctx.department_id}
    return df("engine/spend_series", params)


def figure(ctx: DashboardContext, name: str, build: Callable[[], Any], *extra: Hashable) -> Any:
    """A plotly figure of a dashboard page, built once per data version and shared by every session
    (building and validating a figure costs more than drawing the rest of the page); see
    :func:`shared`. st.plotly_chart copies the figure (``to_dict``); a caller that restyles a figure
    does so inside ``build``."""
    return shared(ctx, f"figure:{name}", build, *extra)


def shared(ctx: DashboardContext, name: str, build: Callable[[], Any], *extra: Hashable) -> Any:
    """``build()`` once per data version, shared by every session: a figure, a table's frame, a
    prepared table (web.prepare_table) — anything drawn from the context's data only.

    The key is the database file and its data version (every write moves it), ``name`` (what is
    built), the context's department, year and 截至日期, and ``extra`` (e.g. the project or the
    theme): everything it is built from must be in it. The object is shared and read-only.
    """
    connection()
    path = db_path()
    key = (name, ctx.department_id, ctx.fiscal_year, ctx.as_of, *extra)
    return cached_shared(path, key, build)


def _persisted(key: str, options: list[Any]) -> None:
    """Keep a sidebar choice across pages: copy the stored value into the widget's key."""
    store_key = f"_keep_{key}"
    if store_key in st.session_state and st.session_state[store_key] in options:
        st.session_state[key] = st.session_state[store_key]
    elif key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]


def _remember(key: str) -> None:
    st.session_state[f"_keep_{key}"] = st.session_state.get(key)


def sidebar_context(title: str | None = None) -> DashboardContext:
    """The dashboard sidebar: 查看示例数据, year and department (when there is more than one) and the
    截至日期 (default: the last month-end with data). Shows the demo banner; stops the page with a
    message when the database holds no targets."""
    pages = st.session_state.setdefault(DEMO_PAGES_KEY, set())
    page = page_hash()
    if page is not None:
        pages.add(page)
    _persisted(DEMO_KEY, [True, False])
    with st.sidebar:
        st.toggle("查看示例数据", key=DEMO_KEY, on_change=_remember, args=(DEMO_KEY,),
                  help="示例数据保存在单独的数据库文件中，只读，与真实数据互不混合。")
    if title:
        st.title(title)
    demo_on = demo_active()
    if demo_on:
        st.warning(f"**{_demo.DEMO_BANNER}**（示例：截至 {_demo.DEMO_AS_OF:%Y-%m-%d}，巨鹿县司法局本级）。"
                   "关闭侧栏的“查看示例数据”即回到真实数据。", icon=":material/science:")
    depts = df("departments")
    if depts.empty:
        st.info("数据库中还没有绩效目标。请先在“绩效目标”中导入绩效目标表。", icon=":material/info:")
        st.stop()
    years = sorted({int(y) for y in depts["fiscal_year"]}, reverse=True)
    with st.sidebar:
        if len(years) > 1:
            _persisted("pw_year", years)
            year = st.selectbox("年度", years, key="pw_year", format_func=lambda y: f"{y} 年度",
                                on_change=_remember, args=("pw_year",))
        else:
            year = years[0]
        in_year = depts[depts["fiscal_year"] == year].reset_index(drop=True)
        ids = [int(i) for i in in_year["id"]]
        names = {as_int(r.id): f"{r.name}（{r.code}）" for r in in_year.itertuples()}
        if len(ids) > 1:
            _persisted("pw_department", ids)
            dept_id = st.selectbox("部门", ids, key="pw_department", format_func=names.__getitem__,
                                   on_change=_remember, args=("pw_department",))
        else:
            dept_id = ids[0]
        row = in_year[in_year["id"] == dept_id].iloc[0]
        last = cached_last_data(db_path(), dept_id)
        options = views.month_ends(year)
        default = views.default_as_of(last, year)
        key = f"pw_as_of_{'demo' if demo_on else 'real'}_{dept_id}"
        _persisted(key, options)
        as_of = st.selectbox(
            "截至日期", options, index=options.index(default), key=key, on_change=_remember, args=(key,),
            format_func=lambda d: f"{d:%Y-%m-%d}（{d.month}月底）",
            help="监控数据的截止日期。默认取最近一个有数据的月末。"
            + (f"最近数据：{last:%Y-%m-%d}。" if last else "尚无实际数据。"),
        )
        late = pageviews.as_of_after_data_note(as_of, last)
        if late:
            st.warning(late, icon=":material/schedule:")
        if len(ids) == 1 and len(years) == 1:
            st.caption(f"{md(row['name'])}　{year} 年度")
    return DashboardContext(
        department_id=int(dept_id), department_code=str(row["code"]), department_name=str(row["name"]),
        fiscal_year=int(year), as_of=as_of, demo=demo_on, last_data_date=last, departments=depts,
    )


def no_actuals(ctx: DashboardContext, what: str = "监控数据") -> None:
    """The empty state: no actuals yet. Says so, points to data entry and offers the demo."""
    st.info(f"{ctx.department_name} {ctx.fiscal_year} 年度还没有填报任何实际支出或指标完成情况，暂无{what}可显示。"
            "请先在“数据填报”中录入每月支出和指标完成情况。", icon=":material/edit_note:")
    entry = Path(db.REPO_ROOT / "pages" / "entry" / "entry_spend.py")
    if entry.exists():
        try:
            st.page_link("pages/entry/entry_spend.py", label="去填报支出", icon=":material/edit:")
        except Exception:  # the page is not in this session's menu (e.g. a leader's)
            pass
    if not ctx.demo:
        st.button("先看看示例数据", icon=":material/science:", on_click=enable_demo,
                  help="切换到示例数据（巨鹿县司法局 2024 年，截至 7 月底），不会写入真实数据库。")

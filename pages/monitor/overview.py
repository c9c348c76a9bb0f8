"""总览 (leadership): KPI cards, lights, every project against its plan, 需要关注, 部门整体绩效目标."""

from __future__ import annotations

import streamlit as st

from perfwatch import charts, views, web
from perfwatch.cells import as_int
from perfwatch.settings import LIGHT_LABELS, LIGHT_NAMES
from perfwatch.textsafe import md
from perfwatch.vocab import LAG_ORDER_TEXT

ctx = web.sidebar_context("总览")
if not ctx.has_actuals:
    web.no_actuals(ctx, "执行进度和亮灯情况")
    st.stop()

s = web.status(ctx)
t = s.total
st.caption(f"{ctx.department_name}　{ctx.fiscal_year} 年度　截至 {ctx.as_of:%Y-%m-%d}　"
           f"（最近数据 {ctx.last_data_date:%Y-%m-%d}）")

c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("预算总额（万元）", views.money(t["budget"]), border=True)
c2.metric("累计支出（万元）", views.money(t["spent"]), border=True)
c3.metric("预算执行率", views.pct(t["execution_pct"]), delta=views.pp(t["gap_pp"]),
          delta_color="normal", border=True,
          help=f"累计支出 ÷ 预算数；下方为与计划应达进度之差。{t['execution_reason']}。{LIGHT_LABELS[t['light']]}")
c4.metric("计划应达进度", views.pct(t["expected_pct"]), border=True,
          help="按各项目支出计划（3/6/10/12月底节点）插值、以预算加权的应达执行率")
c5.metric("序时进度", views.pct(t["time_pct"]),
          delta=views.pp(views.points_vs_time(t["execution_pct"], t["time_pct"])),
          delta_color="normal", border=True, help="已过月数 ÷ 12；下方为执行率与序时进度之差")

left, right = st.columns([1, 1])
with left:
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown("**支出进度**")
        web.light_badge(t["light"], f"{LIGHT_NAMES[t['light']]}　{t['execution_reason']}")
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown("**绩效目标**")
        web.light_badge(t["goal_light"], help="部门的绩效目标灯取所有指标中最差的灯")
    web.light_counts_row(views.total_counts(s, "projects_"), f"项目 {t['n_projects']} 个")
    web.light_counts_row(views.total_counts(s, "indicators_"), f"绩效指标 {t['n_indicators']} 个")
with right:
    st.plotly_chart(
        web.figure(ctx, "overview_counts", lambda: charts.light_count_bars({
            f"项目（{t['n_projects']}）": views.total_counts(s, "projects_"),
            f"绩效指标（{t['n_indicators']}）": views.total_counts(s, "indicators_")})),
        config={"displayModeBar": False}, key="overview_counts",
    )

st.subheader("各项目预算执行：实际与计划应达")
st.caption("条形为执行率（颜色为支出进度灯），黑色竖线为该项目按支出计划应达到的位置，虚线为序时进度。"
           "悬停可查看判定依据。")
st.plotly_chart(web.figure(ctx, "overview_execution", lambda: charts.execution_chart(s.projects, t["time_pct"])),
                config={"displayModeBar": False},
                key="overview_execution")

st.subheader("需要关注")
attention = web.shared(ctx, "attention", lambda: views.attention_list(
    s, web.reads.progress_texts(ctx.department_id, ctx.as_of)))
if attention.empty:
    st.success("没有滞后的项目或指标。", icon=":material/check_circle:")
else:
    st.caption(f"共 {len(attention)} 项。排序：{LAG_ORDER_TEXT}点选一行，下方显示完整的原因、措施和完成可能性。")
    event = web.show_table(
        web.shared(ctx, "attention_table", lambda: web.prepare_light_table(attention)), on_select="rerun", selection_mode="single-row", key="attention",
        height=min(38 + 35 * len(attention), 470),
        column_config={
            "类别": st.column_config.TextColumn(width="small"),
            "灯": st.column_config.TextColumn(width="small", help="红灯：严重滞后；黄灯：轻度滞后"),
            "落后计划（万元）": st.column_config.NumberColumn(width="small", format="%.2f",
                                                           help="预算数×计划应达进度−累计支出；排序依据"),
            "原因": st.column_config.TextColumn(width="medium", help="引擎的判定依据（规则与数值）"),
            "偏差原因/说明": st.column_config.TextColumn(width="medium"),
            "纠偏措施": st.column_config.TextColumn(width="medium"),
        },
    )
    rows = event.selection.rows if event is not None and hasattr(event, "selection") else []
    chosen = attention.iloc[rows[0] if rows else 0]
    with st.container(border=True, key="attention_detail"):
        st.markdown(f"**{'已选' if rows else '第一项'}：{views.detail_title(chosen)}**")
        for label, text in views.attention_detail(chosen):
            st.markdown(f"**{label}**")
            st.text(text)  # plain text, wrapped: user text is never markdown
        code = chosen["project_code"]
        if isinstance(code, str) and code and st.button("打开项目详情", key="attention_open"):
            st.switch_page("pages/monitor/project.py", query_params={"project": code})

def _sub_goals() -> list[tuple[str, web.PreparedTable]]:
    """Each 分项目标 of 部门整体: its heading (with its light counts) and its indicator table."""
    out = []
    for seq, grp in views.department_part(s).groupby("sub_goal_seq", sort=True):
        counts = grp["light"].value_counts().to_dict()
        title = f"分项目标 {as_int(seq)}：{md(grp['sub_goal_title'].iloc[0])}　（" + "、".join(
            f"{LIGHT_NAMES[light]}{counts[light]}" for light in views.LIGHT_ORDER if counts.get(light)) + "）"
        out.append((title, web.prepare_light_table(views.indicator_table(grp).drop(columns=["项目", "一级指标", "二级指标"]))))
    return out


sub_goals = web.shared(ctx, "sub_goals", _sub_goals)
if sub_goals:
    st.subheader("部门整体绩效目标")
    for title, table in sub_goals:
        with st.expander(title):
            web.show_table(table)

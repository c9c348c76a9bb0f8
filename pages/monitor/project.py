"""项目详情: one project – plan against actual, its goals, indicators with lights, entry history.
The project is chosen by the URL (?project=<项目编码>) or the selectbox."""

from __future__ import annotations

import streamlit as st

from perfwatch import attachments, audit_labels, charts, pageviews, review, views, web
from perfwatch.plan import plan_curve
from perfwatch.settings import LIGHT_NAMES

ctx = web.sidebar_context("项目详情")
if not ctx.has_actuals:
    web.no_actuals(ctx, "项目执行情况")
    st.stop()

s = web.status(ctx)
projects = s.projects.sort_values("seq")
codes = list(projects["code"])
labels = {r.code: f"{int(r.seq)}. {r.name}" for r in projects.itertuples()}
wanted = st.query_params.get("project")
code = st.selectbox("项目", codes, index=codes.index(wanted) if wanted in codes else 0,
                    format_func=labels.__getitem__, key=f"project_pick_{wanted}")
if st.query_params.get("project") != code:
    st.query_params["project"] = code
p = projects[projects["code"] == code].iloc[0]
pid = int(p["project_id"])

st.subheader(str(p["name"]))
st.caption(f"项目编码 {p['code']}　预算 {views.money(p['budget'])} 万元　支出计划 {p['plan_text'] or '—'}　"
           f"截至 {ctx.as_of:%Y-%m-%d}")
with st.container(horizontal=True, vertical_alignment="center"):
    st.markdown("**支出进度**")
    web.light_badge(str(p["execution_light"]), f"{LIGHT_NAMES[p['execution_light']]}　{p['execution_reason']}")
with st.container(horizontal=True, vertical_alignment="center"):
    st.markdown("**绩效目标**")
    web.light_badge(str(p["goal_light"]), help="项目的绩效目标灯取其指标中最差的灯")
    st.markdown("**综合**")
    web.light_badge(str(p["combined_light"]), help=str(p["reason"]))

c1, c2, c3, c4 = st.columns(4)
c1.metric("累计支出（万元）", views.money(p["spent"]), border=True)
c2.metric("执行率", views.pct(p["execution_pct"]), delta=views.pp(p["gap_pp"]), border=True,
          help=str(p["execution_reason"]))
c3.metric("全年预计（万元）", views.money(p["projection"]), border=True,
          help=f"口径：{p['projection_source'] or '—'}；按计划推算 {views.money(p['plan_shaped'])}，"
          f"按月均推算 {views.money(p['run_rate'])}，负责人预计 {views.money(p['owner_projection'])}")
nxt = "—" if views.is_missing(p["next_checkpoint_month"]) else f"{int(p['next_checkpoint_month'])}月底"
c4.metric(f"{nxt}节点尚需（万元）", views.money(p["to_next_checkpoint"]), border=True,
          help="距下一个计划节点的累计计划金额尚需支出的金额")

checkpoints = web.reads.plan_checkpoints(pid)
st.plotly_chart(
    web.figure(ctx, "project", lambda: charts.spend_curve(
        web.spend_series(ctx, pid), plan_curve(checkpoints, s.rules.plan_method), as_of=ctx.as_of,
        budget=float(p["budget"]), checkpoints=checkpoints, light=str(p["execution_light"]),
        reason=str(p["execution_reason"]), title="累计支出与支出计划"), pid),
    config={"displayModeBar": False}, key="project_chart",
)

goals = web.reads.project_goals(pid)
if not goals.empty:
    st.markdown("**绩效目标**")
    for g in goals.itertuples():
        st.text(f"{g.seq}. {g.text}")

st.markdown("**绩效指标**")
table = web.shared(ctx, "project_indicators", lambda: web.prepare_light_table(
    views.indicator_table(s.indicators[s.indicators["project_id"] == pid]).drop(columns=["项目"])), pid)
web.show_table(table, column_config={"判定依据": st.column_config.TextColumn(width="large")})

st.markdown("**填报记录**")
# each tab is read and drawn when it is picked (on_change="rerun": the tab knows whether it is open)
tab1, tab2, tab3, tab4 = st.tabs(["支出", "指标完成情况", "全年预计与进展", "佐证材料"], key="project_history_tab",
                                 on_change="rerun")
for tab, read, shape, empty in (
        (tab1, web.reads.project_spend_history, pageviews.spend_history_table, "尚无支出记录。"),
        (tab2, web.reads.project_result_history, pageviews.result_history_table, "尚无指标完成情况记录。"),
        (tab3, web.reads.project_report_history, pageviews.report_history_table, "尚无全年预计执行数或进展说明。")):
    if tab.open:
        with tab:
            hist = read(pid)
            if hist.empty:
                st.caption(empty)
            else:
                web.dataframe(shape(hist))
if tab4.open:
    with tab4:
        conn = web.connection()
        files = attachments.of_project(conn, pid, ctx.as_of)
        st.caption(f"{ctx.as_of.year}年{ctx.as_of.month}月填报的佐证材料；本期审核状态："
                   f"{review.STATE_LABELS[review.state_of(conn, pid, ctx.as_of)]}。")
        if files.empty:
            st.caption("本期尚无佐证材料。")
        for r in files.to_dict("records"):
            item = attachments.get(conn, int(r["id"]))
            c_name, c_dl = st.columns([5, 1], vertical_alignment="center")
            c_name.markdown(f"{r['attached_to']}：{r['file_name']}（{r['size_text']}，{audit_labels.actor_label(r['uploaded_by'])} 上传）")
            c_dl.download_button("下载", data=item.content, file_name=item.file_name, mime=item.media_type,
                                 key=f"project_file_{item.id}")

"""支出进度 (finance): cumulative spend against the plan for the department and each project,
the variance table with year-end projections, and an Excel download."""

from __future__ import annotations

import streamlit as st

from perfwatch import charts, exports, views, web
from perfwatch.plan import plan_curve
from perfwatch.settings import LIGHT_NAMES

ctx = web.sidebar_context("支出进度")
if not ctx.has_actuals:
    web.no_actuals(ctx, "支出进度")
    st.stop()

s = web.status(ctx)
dept = s.departments.iloc[0]
st.caption(f"{ctx.department_name}　{ctx.fiscal_year} 年度　截至 {ctx.as_of:%Y-%m-%d}　金额单位：万元")

c1, c2, c3, c4 = st.columns(4)
c1.metric("预算总额（万元）", views.money(dept["budget"]), border=True)
c2.metric("累计支出（万元）", views.money(dept["spent"]), border=True)
c3.metric("执行率", views.pct(dept["execution_pct"]), delta=views.pp(dept["gap_pp"]),
          border=True, help=str(dept["execution_reason"]))
c4.metric("距下一节点尚需（万元）", views.money(s.projects["to_next_checkpoint"].sum(min_count=1)), border=True,
          help="各项目距其下一个计划节点（累计计划金额）尚需支出的金额之和")

st.subheader("部门累计支出与支出计划")
series = web.spend_series(ctx)
plans = web.reads.department_plans(ctx.department_id)
curve = views.department_plan_curve(plans, method=s.rules.plan_method)
marks = [(m, y) for m in views.CHECKPOINT_MONTHS for t, y in curve if t == m]
st.plotly_chart(
    web.figure(ctx, "spend_department", lambda: charts.spend_curve(
        series, curve, as_of=ctx.as_of, budget=float(dept["budget"]), checkpoints=marks,
        light=str(dept["light"]), reason=str(dept["execution_reason"]))),
    config={"displayModeBar": False}, key="spend_department",
)

st.subheader("单个项目")
projects = s.projects.sort_values("seq")
labels = {int(r.project_id): f"{int(r.seq)}. {r.name}（{LIGHT_NAMES[r.execution_light]}）" for r in projects.itertuples()}
worst = views.variance_table(s)
first = int(projects.loc[projects["code"] == worst.iloc[0]["project_code"], "project_id"].iloc[0])
ids = list(labels)
pid = st.selectbox("选择项目", ids, index=ids.index(first), format_func=labels.__getitem__, key="spend_project")
proj = projects[projects["project_id"] == pid].iloc[0]
checkpoints = web.reads.plan_checkpoints(pid)
st.plotly_chart(
    web.figure(ctx, "spend_project", lambda: charts.spend_curve(
        web.spend_series(ctx, pid), plan_curve(checkpoints, s.rules.plan_method), as_of=ctx.as_of,
        budget=float(proj["budget"]), checkpoints=checkpoints, light=str(proj["execution_light"]),
        reason=str(proj["execution_reason"])), pid),
    config={"displayModeBar": False}, key="spend_project_chart",
)

st.subheader("偏差分析")
st.caption("按与计划应达的偏差（百分点）排序，最落后的在前；点击列标题可重新排序。"
           "偏差金额 = 累计支出 − 预算数 × 计划应达；全年预计三种口径：按计划推算（支出 ÷ 计划应达比例）、"
           "按月均推算（支出 × 12 ÷ 已过月数）、负责人填报的全年预计执行数。")
table = views.variance_table(s)
web.light_dataframe(
    table,
    column_config={"判定依据": st.column_config.TextColumn(width="large")},
)


def _workbook() -> bytes:
    monthly = series[["month", "amount", "cumulative", "cumulative_pct"]].rename(columns={
        "month": "月份", "amount": "当月支出（万元）", "cumulative": "累计支出（万元）", "cumulative_pct": "累计执行率（%）"})
    return exports.dataframe_to_xlsx(
        {"支出进度偏差": views.drop_internal(table), "部门月度支出": monthly},
        title=f"{ctx.department_name} {ctx.fiscal_year}年 支出进度（截至 {ctx.as_of:%Y-%m-%d}，万元）"
        + ("【示例数据】" if ctx.demo else ""),
    )


st.download_button("下载 Excel", data=_workbook, icon=":material/download:",
                   file_name=f"支出进度_{ctx.department_code}_{ctx.as_of:%Y%m%d}{'_示例数据' if ctx.demo else ''}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore")

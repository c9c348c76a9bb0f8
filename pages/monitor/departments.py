"""部门汇总 (监控数据中心): departments of a year ranked by deviation from plan, with light counts.
Meaningful from two departments on; with one it says so."""

from __future__ import annotations

import streamlit as st

from perfwatch import charts, exports, views, web
from perfwatch.reports import catalog

ctx = web.sidebar_context("部门汇总")
if ctx.year_departments < 2:
    st.info(f"部门汇总用于比较多个部门：数据库中 {ctx.fiscal_year} 年度目前只有 1 个部门（{ctx.department_name}）。"
            "导入其他部门的绩效目标后，这里会按执行偏差对各部门排序。", icon=":material/account_balance:")
    st.stop()

s = web.status(ctx, all_departments=True)
t = s.total
ranking = views.department_ranking(s)
st.caption(f"{ctx.fiscal_year} 年度　{t['n_departments']} 个部门　截至 {ctx.as_of:%Y-%m-%d}　"
           "按执行率与计划应达的偏差排序，最落后的在前。")
c1, c2, c3, c4 = st.columns(4)
c1.metric("部门数", t["n_departments"], border=True)
c2.metric("预算总额（万元）", views.money(t["budget"]), border=True)
c3.metric("累计支出（万元）", views.money(t["spent"]), border=True)
c4.metric("执行率", views.pct(t["execution_pct"]), delta=views.pp(t["gap_pp"]), border=True,
          help=str(t["execution_reason"]))
if t["spent"] == 0:
    st.info("各部门尚未填报实际支出，偏差均为计划应达的负值。", icon=":material/edit_note:")
st.plotly_chart(web.figure(ctx, "departments", lambda: charts.department_chart(ranking)), config={"displayModeBar": False}, key="departments_chart")
web.light_dataframe(ranking, column_config={"判定依据": st.column_config.TextColumn(width="large")})


def _workbook() -> bytes:
    return exports.dataframe_to_xlsx({"部门汇总": views.drop_internal(ranking)},
                                     title=f"{ctx.fiscal_year}年 部门汇总（截至 {ctx.as_of:%Y-%m-%d}）")


st.download_button("下载 Excel", data=_workbook, icon=":material/download:", file_name=f"部门汇总_{ctx.as_of:%Y%m%d}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore")

# The official 监控汇总表 (by project and by unit, most lagging first), made on demand.
units = catalog.unit_choices(ctx.departments, ctx.fiscal_year)
if st.button("生成监控汇总表（按项目、按单位）", icon=":material/table_view:", key="departments_summary_make"):
    bar = st.progress(0.0, text="准备中……")
    made = catalog.generate(web.connection(), "summary", "xlsx", list(units), ctx.as_of,
                            progress=lambda f, t: bar.progress(min(max(f, 0.0), 1.0), text=t))
    bar.empty()
    st.session_state["departments_summary"] = ((tuple(units), ctx.as_of), made)
ready = st.session_state.get("departments_summary")
if ready is not None and ready[0] == (tuple(units), ctx.as_of):
    st.download_button("下载监控汇总表 .xlsx", data=ready[1].payload, file_name=ready[1].file_name, mime=ready[1].mime,
                       icon=":material/download:", type="primary", key="departments_summary_download", on_click="ignore")

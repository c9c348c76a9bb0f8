"""报表导出: the monitoring form (.xlsx) and the briefing (.pdf) for a cut-off month, as downloads."""

from __future__ import annotations

import streamlit as st

from perfwatch import pageviews, web
from perfwatch.reports import briefing, data, monitoring_form
from perfwatch.reports.fonts import FontNotFound

ctx = web.sidebar_context("报表导出")
if not ctx.has_actuals:
    web.no_actuals(ctx, "可导出的监控数据")
    st.stop()

months = pageviews.month_choices()
month = st.selectbox(
    "截止月份", months, index=months.index(pageviews.report_default_month(ctx.as_of, ctx.fiscal_year)), key=f"reports_month_{ctx.department_id}",
    format_func=lambda m: f"{data.period_label(data.month_end(ctx.fiscal_year, m))}（截至 {ctx.fiscal_year}-{m:02d} 月底）",
    help="监控表按“1–N月”填报，默认取最近一个有数据的月份。"
    + (f"最近数据：{ctx.last_data_date:%Y-%m-%d}。" if ctx.last_data_date else ""),
)
conn = web.connection()
report = data.build_report(conn, ctx.department_id, month)
st.caption(f"{report.name}（{report.code}）　{report.fiscal_year}年{report.period}　"
           f"项目 {len(report.projects)} 个，其中滞后 {len(report.lagging)} 个")

left, right = st.columns(2)
with left, st.container(border=True):
    st.markdown("**项目支出绩效目标执行监控表（Excel）**")
    st.caption("按财预〔2019〕136号格式，每个项目一张表，另附部门汇总表；A4 横向打印。")
    st.download_button(
        "下载监控表 .xlsx", data=monitoring_form.workbook_bytes(report), file_name=monitoring_form.file_name(report),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon="📥", type="primary",
        key="reports_xlsx",
    )
with right, st.container(border=True):
    st.markdown("**运行监控简报（PDF）**")
    st.caption("封面、总体情况与关键指标、支出进度图、滞后项目的原因和纠偏措施、绩效指标完成情况表。")
    try:
        with st.spinner("正在生成简报……"):
            pdf = briefing.build_pdf(report)
    except FontNotFound as exc:
        st.error(str(exc), icon="🔤")
    else:
        st.download_button("下载简报 .pdf", data=pdf, file_name=briefing.file_name(report), mime="application/pdf",
                           icon="📥", type="primary", key="reports_pdf")

st.caption("命令行同样可以生成：python -m perfwatch report --as-of "
           f"{report.as_of:%Y-%m-%d} --format xlsx|pdf --out 文件路径 --department {report.code}")

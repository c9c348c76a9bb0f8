"""报表导出: every official output for a cut-off month, made on demand (a button with a progress bar),
never on page load. The file is the one ``python -m perfwatch report`` writes (perfwatch.reports.catalog)."""

from __future__ import annotations

import streamlit as st

from perfwatch import pageviews, web
from perfwatch.reports import catalog, data
from perfwatch.reports.fonts import FontNotFound

ctx = web.sidebar_context("报表导出")
if not ctx.has_actuals:
    web.no_actuals(ctx, "可导出的监控数据")
    st.stop()

months = pageviews.month_choices()
month = st.selectbox(
    "截止月份", months, index=months.index(pageviews.report_default_month(ctx.as_of, ctx.fiscal_year)),
    key=f"reports_month_{ctx.department_id}",
    format_func=lambda m: f"{data.period_label(data.month_end(ctx.fiscal_year, m))}（截至 {ctx.fiscal_year}-{m:02d} 月底）",
    help="监控表按“1–N月”填报，默认取最近一个有数据的月份。"
    + (f"最近数据：{ctx.last_data_date:%Y-%m-%d}。" if ctx.last_data_date else ""),
)
as_of = data.month_end(ctx.fiscal_year, month)
kind = st.radio("报表", [k.key for k in catalog.KINDS], key="reports_kind", horizontal=True,
                format_func=lambda k: catalog.BY_KEY[k].title)
spec = catalog.BY_KEY[kind]
st.caption(spec.description)

fmt = spec.formats[0]
if len(spec.formats) > 1:
    fmt = st.radio("格式", spec.formats, key="reports_format", horizontal=True,
                   format_func=lambda f: {"docx": "Word（.docx，可编辑）", "pdf": "PDF", "xlsx": "Excel"}[f])
unit_ids = [ctx.department_id]
project_id: int | None = None
units = catalog.unit_choices(ctx.departments, ctx.fiscal_year)
if kind == "summary":
    picked = st.multiselect("单位", list(units), default=list(units), key="reports_units",
                            format_func=lambda i: units[i])
    unit_ids = [int(i) for i in picked]
elif kind == "report":
    projects = catalog.project_choices(web.reads.department_projects(ctx.department_id))
    choice = st.selectbox("范围", [0, *projects], key="reports_scope",
                          format_func=lambda i: "整个单位" if i == 0 else projects[i])
    project_id = int(choice) or None

request = (kind, fmt, tuple(unit_ids), project_id, as_of)
if st.button(f"生成{spec.title}", type="primary", icon=":material/description:", key="reports_make",
             disabled=not unit_ids):
    bar = st.progress(0.0, text="准备中……")
    try:
        made = catalog.generate(web.connection(), kind, fmt, unit_ids, as_of, project_id=project_id,
                                progress=lambda f, t: bar.progress(min(max(f, 0.0), 1.0), text=t))
    except (data.ReportError, FontNotFound) as exc:
        bar.empty()
        st.error(str(exc), icon=":material/error:")
    else:
        bar.empty()
        st.session_state["reports_made"] = (request, made)

ready = st.session_state.get("reports_made")
if ready is not None and ready[0] == request:
    made = ready[1]
    st.success(f"已生成：{made.file_name}", icon=":material/task_alt:")
    st.download_button(f"下载 .{fmt}", data=made.payload, file_name=made.file_name, mime=made.mime,
                       icon=":material/download:", type="primary", key="reports_download", on_click="ignore")
elif ready is not None:
    st.caption("选择已改变，请重新生成。")

st.caption(f"命令行同样可以生成：python -m perfwatch report --as-of {as_of:%Y-%m-%d} --kind {kind} --format {fmt} "
           f"--out 文件路径 --department {ctx.department_code}")

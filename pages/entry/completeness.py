"""填报情况: for a reporting month, which projects and indicators have not reported yet, per
department -- what owners still owe before the meeting."""

from __future__ import annotations

import streamlit as st

from perfwatch import entry, pageviews, web

web.require_role("leader", "finance", "owner", "admin")
web.connection()  # the sign-in guard; the reads below go through the cache
st.title("填报情况")

depts = web.reads.departments()
if depts.empty:
    st.info("数据库中还没有部门和项目。请先导入绩效目标表。")
    st.stop()
years = sorted({int(y) for y in depts["fiscal_year"]}, reverse=True)
c1, c2 = st.columns([1, 1])
year = c1.selectbox("年度", years, key="completeness_year") if len(years) > 1 else years[0]
in_year = depts[depts["fiscal_year"] == year]
last = web.reads.latest_data(in_year["id"])
month = c2.selectbox("填报月份（截至月底）", pageviews.month_choices(), index=entry.default_month(year, last_data=last) - 1,
                     format_func=lambda m: f"{year}年1–{m}月", key="completeness_month")
as_of = entry.reporting_as_of(year, month)
st.caption(f"截止日期 {as_of.isoformat()}：统计截止日期在 {month} 月内的指标填报，以及 {month} 月的支出。")

reports = web.reads.completeness(year, as_of)  # every department at once, cached per data version
st.subheader("各部门")
web.dataframe(
    [{"部门": f"{r.code} {r.name}",
      "指标已填/总数": f"{reports[int(r.id)].indicators_reported}/{reports[int(r.id)].indicators_total}",
      "待填指标": reports[int(r.id)].indicators_total - reports[int(r.id)].indicators_reported,
      "其中本期未更新": len(reports[int(r.id)].stale),
      "本月支出未填项目": reports[int(r.id)].spend_missing,
      "状态": "已齐" if reports[int(r.id)].complete else "未齐"} for r in in_year.itertuples()],
    hide_index=True, width="stretch",
)

labels = {int(r.id): f"{r.code} {r.name}" for r in in_year.itertuples()}
dept_id = st.selectbox("查看部门", list(labels), format_func=labels.__getitem__, key="completeness_dept") \
    if len(labels) > 1 else next(iter(labels))
rep = reports[dept_id]
m1, m2, m3, m4 = st.columns(4)
m1.metric("指标已填报", f"{rep.indicators_reported}/{rep.indicators_total}")
m2.metric("未填报指标", len(rep.unreported), help="从未填报过完成值的指标")
m3.metric("本期未更新指标", len(rep.stale), help=f"已有完成值，但最近一次早于{month}月（截至上月或更早）")
m4.metric("本月支出未填项目", rep.spend_missing)
st.subheader("各项目")
web.dataframe(rep.projects)
st.caption("审核状态：填报中 → 已提交 → 已审核（财务），或已退回（附退回意见）；在“项目填报”页提交和审核。")
st.subheader("尚未填报的指标")
if rep.missing.empty:
    st.success("本月所有指标都已填报。", icon=":material/check_circle:")
else:
    st.caption(f"未填报：从未填报过完成值；本期未更新：最近一次完成值早于{month}月，括号内为其截至日期，"
               f"请填报截至{as_of.month}月{as_of.day}日的完成值。")
    web.dataframe(rep.missing[["项目", "项目编码", "二级指标", "三级指标", "年度指标值", "情况", "最近结果"]],
                  hide_index=True, width="stretch")

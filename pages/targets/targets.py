"""项目与绩效目标: every project with its budget, plan, goals and indicators as published."""

from __future__ import annotations

import streamlit as st

from perfwatch import pageviews, web
from perfwatch.targets_view import indicator_table, money
from perfwatch.textsafe import md

st.title("项目与绩效目标")

dept = web.pick_department("targets_dept")
dept_id = int(dept["id"])

c1, c2, c3 = st.columns(3)
c1.metric("项目数", int(dept["projects"]))
c2.metric("预算合计（万元）", money(dept["budget"]))
c3.metric("绩效指标数", int(dept["indicators"]))

projects = web.reads.department_projects(dept_id)
st.subheader("预算项目")
st.caption("金额单位：万元；支出计划为各节点月底的累计支出比例。")
web.dataframe(
    pageviews.projects_table(projects),
    hide_index=True,
    width="stretch",
    column_config={"序号": st.column_config.NumberColumn(width=40),
                   "项目名称": st.column_config.TextColumn(width="medium"),
                   "资金支出计划（累计）": st.column_config.TextColumn(width=240),
                   "指标数": st.column_config.NumberColumn(width=50)},
)

for proj in projects.itertuples():
    with st.expander(f"{proj.seq}. {md(proj.name)}　预算 {money(proj.budget)} 万元"):
        st.caption(f"项目编码 {md(proj.code)}　资金用途：{md(proj.purpose or '—')}　支出计划：{md(proj.plan or '—')}")
        goals = web.reads.project_goals(int(proj.id))
        st.markdown("**绩效目标**")
        for g in goals.itertuples():
            st.text(f"{g.seq}. {g.text}")
        st.markdown("**绩效指标**")
        web.dataframe(indicator_table(web.reads.project_indicators(int(proj.id))),
                     hide_index=True, width="stretch")

overall = pageviews.overall_goal(web.reads.department_texts(dept_id))
part = web.reads.department_part(dept_id)
if not part.empty or overall:
    st.subheader("部门整体绩效目标")
    if overall:
        st.markdown("**总体绩效目标**")
        st.text(overall)
    for seq, grp in part.groupby("sub_goal_seq", sort=True):
        first = grp.iloc[0]
        with st.expander(f"分项目标 {seq}：{md(first['title'])}"):
            st.caption(f"绩效目标：{md(first['goal'] or '—')}")
            web.dataframe(grp.dropna(subset=["indicator_id"])[["level3", "target_text"]]
                         .rename(columns={"level3": "绩效指标", "target_text": "指标值"}),
                         hide_index=True, width="stretch")

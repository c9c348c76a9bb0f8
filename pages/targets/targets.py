"""项目与绩效目标: every project with its budget, plan, goals and indicators as published."""

from __future__ import annotations

import streamlit as st

from perfwatch import ui
from perfwatch.targets_view import indicator_table, money

st.title("项目与绩效目标")

dept = ui.pick_department("targets_dept")
dept_id = int(dept["id"])

c1, c2, c3 = st.columns(3)
c1.metric("项目数", int(dept["projects"]))
c2.metric("预算合计（万元）", money(dept["budget"]))
c3.metric("绩效指标数", int(dept["indicators"]))

projects = ui.df("department_projects", {"department_id": dept_id})
st.subheader("预算项目")
st.caption("金额单位：万元；支出计划为各节点月底的累计支出比例。")
st.dataframe(
    projects.assign(budget=projects["budget"].map(money), fiscal_funds=projects["fiscal_funds"].map(money),
                    other_funds=projects["other_funds"].map(money))[
        ["seq", "code", "name", "budget", "fiscal_funds", "other_funds", "plan", "indicators"]
    ].rename(columns={"seq": "序号", "code": "项目编码", "name": "项目名称", "budget": "预算数",
                      "fiscal_funds": "财政资金", "other_funds": "其他资金", "plan": "资金支出计划（累计）",
                      "indicators": "指标数"}),
    hide_index=True,
    width="stretch",
    column_config={"序号": st.column_config.NumberColumn(width=40),
                   "项目名称": st.column_config.TextColumn(width="medium"),
                   "资金支出计划（累计）": st.column_config.TextColumn(width=240),
                   "指标数": st.column_config.NumberColumn(width=50)},
)

for proj in projects.itertuples():
    with st.expander(f"{proj.seq}. {proj.name}　预算 {money(proj.budget)} 万元"):
        st.caption(f"项目编码 {proj.code}　资金用途：{proj.purpose or '—'}　支出计划：{proj.plan or '—'}")
        goals = ui.df("project_goals", {"project_id": int(proj.id)})
        st.markdown("**绩效目标**")
        for g in goals.itertuples():
            st.text(f"{g.seq}. {g.text}")
        st.markdown("**绩效指标**")
        st.dataframe(indicator_table(ui.df("project_indicators", {"project_id": int(proj.id)})),
                     hide_index=True, width="stretch")

texts = ui.df("department_texts", {"department_id": dept_id})
part = ui.df("department_part", {"department_id": dept_id})
if not part.empty or (not texts.empty and texts.iloc[0]["overall_goal"]):
    st.subheader("部门整体绩效目标")
    if not texts.empty and texts.iloc[0]["overall_goal"]:
        st.markdown("**总体绩效目标**")
        st.text(texts.iloc[0]["overall_goal"])
    for seq, grp in part.groupby("sub_goal_seq", sort=True):
        first = grp.iloc[0]
        with st.expander(f"分项目标 {seq}：{first['title']}"):
            st.caption(f"绩效目标：{first['goal'] or '—'}")
            st.dataframe(grp.dropna(subset=["indicator_id"])[["level3", "target_text"]]
                         .rename(columns={"level3": "绩效指标", "target_text": "指标值"}),
                         hide_index=True, width="stretch")

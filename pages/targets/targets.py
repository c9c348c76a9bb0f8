"""项目与绩效目标: every project with its budget, plan, goals and indicators as published."""

from __future__ import annotations

import streamlit as st

from perfwatch import milestones, pageviews, web
from perfwatch.indicator_edit import save_count_settings
from perfwatch.targets_view import COUNT_EDITABLE, count_edits, count_settings_table, indicator_table, money
from perfwatch.textsafe import md
from perfwatch.vocab import NATURE_HELP, NATURE_LABELS

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
                   "资金支出计划（累计）": st.column_config.TextColumn(width=240),
                   "指标数": st.column_config.NumberColumn(width=50)},
)

for proj in projects.itertuples():
    box = st.expander(f"{proj.seq}. {md(proj.name)}　预算 {money(proj.budget)} 万元", key=f"targets_open_{proj.id}",
                      on_change="rerun")
    with box:
        st.caption(f"项目编码 {md(proj.code)}　资金用途：{md(proj.purpose or '—')}　支出计划：{md(proj.plan or '—')}")
        if not box.open:  # goals and indicators are read when the project is opened (a county has hundreds)
            continue
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

st.subheader("数量指标的性质与里程碑")
st.caption(
    "数量指标按性质判断应达值：" + "；".join(NATURE_HELP.values()) + "。性质为空的按流量判断。"
    f"里程碑为月末累计值，格式：{milestones.FORMAT_HELP}。导入时系统按指标名称和单位推定性质，请核对。"
)
counts = count_settings_table(web.reads.count_settings(dept_id))
actor = web.current_actor()
if counts.empty:
    st.info("本部门没有数量指标。")
elif actor is None or actor.role != "admin":
    web.dataframe(counts.drop(columns=["编号"]), hide_index=True, width="stretch")
    st.caption("性质和里程碑由管理员在此修改（或在命令行运行 `python -m perfwatch indicator set-nature` 或 `set-milestones`），修改记入操作日志。")
else:
    if flash := st.session_state.pop("count_settings_flash", None):
        st.success(flash, icon="✅")
    edited = web.data_editor(  # a blank 性质 or 里程碑 shows blank, not "None"
        counts, key=f"count_settings_{dept_id}",
        column_order=[c for c in counts.columns if c != "编号"],
        disabled=[c for c in counts.columns if c not in COUNT_EDITABLE],
        column_config={
            "序号": st.column_config.NumberColumn("序号", width=56),
            "指标值": st.column_config.TextColumn("指标值", width=110),
            "性质": st.column_config.SelectboxColumn("性质", options=list(NATURE_LABELS.values()), width=100),
            "里程碑": st.column_config.TextColumn("里程碑", help=milestones.FORMAT_HELP, width=200),
        },
        fit_names=True,  # names as wide as they fit with 性质 and 里程碑 in view; cut ones listed below
    )
    edits = count_edits(counts.to_dict("records"), edited.to_dict("records"))
    if st.button("保存性质与里程碑", type="primary", disabled=not edits, key="count_settings_save"):
        written = web.attempt(lambda: save_count_settings(web.connection(), actor, dept_id, edits))
        if written is not None:
            web.after_write()
            st.session_state["count_settings_flash"] = f"已保存 {written} 项修改（已记入操作日志）。"
            st.session_state.pop(f"count_settings_{dept_id}", None)
            st.rerun()

"""绩效指标: every indicator with target, actual, expected, light, likelihood, cause and measure;
filters; the department-level part (部门整体绩效目标) as its own group; Excel download."""

from __future__ import annotations

import streamlit as st

from perfwatch import exports, pageviews, views, web
from perfwatch.cells import as_int
from perfwatch.settings import LIGHT_NAMES, rule_text
from perfwatch.textsafe import md

ctx = web.sidebar_context("绩效指标")
if not ctx.has_actuals:
    web.no_actuals(ctx, "指标完成情况")
    st.stop()

s = web.status(ctx)
ind = s.indicators
st.caption(f"{ctx.department_name}　{ctx.fiscal_year} 年度　截至 {ctx.as_of:%Y-%m-%d}　共 {len(ind)} 个指标")

with st.expander("亮灯规则", icon=":material/info:"):
    texts = rule_text(s.rules)  # the thresholds in force, not the defaults
    for key in ("count", "nature", "rate", "ceiling", "zero", "cost", "deadline", "qualitative", "satisfaction", "likelihood",
                "stale"):
        st.text(texts[key])

project_ind = ind[ind["project_id"].notna()]
projects = project_ind.drop_duplicates("project_code").sort_values("project_seq")
names = {r.project_code: f"{int(r.project_seq)}. {r.project_name}" for r in projects.itertuples()}
f1, f2, f3, f4 = st.columns([3, 2, 2, 2])
chosen = f1.multiselect("项目", list(names), format_func=names.__getitem__, placeholder="全部项目")
level1 = f2.multiselect("一级指标", sorted(project_ind["level1"].dropna().unique()), placeholder="全部")
level2_options = project_ind if not level1 else project_ind[project_ind["level1"].isin(level1)]
level2 = f3.multiselect("二级指标", sorted(level2_options["level2"].dropna().unique()), placeholder="全部")
lights = f4.multiselect("灯", list(views.LIGHT_ORDER), format_func=LIGHT_NAMES.__getitem__, placeholder="全部")

st.subheader("项目绩效指标")
filters = (tuple(chosen), tuple(level1), tuple(level2), tuple(lights))
table = web.shared(ctx, "indicator_table", lambda: views.indicator_table(views.filter_indicators(
    project_ind, projects=chosen, level1=level1, level2=level2, lights=lights)), *filters)
st.caption(f"显示 {len(table)} / {len(project_ind)} 个指标。")
column_config = {
    "判定依据": st.column_config.TextColumn(width="large"),
    "当前应达": st.column_config.Column(help="数量指标按序时或里程碑应达；比率、上限指标为指标值"),
}
if table.empty:
    st.info("没有符合筛选条件的指标。")
else:
    web.show_table(web.shared(ctx, "indicator_table_shown", lambda: web.prepare_light_table(table), *filters),
                   column_config=column_config)

part = views.department_part(s)
dept_table = web.shared(ctx, "department_indicator_table", lambda: views.indicator_table(part) if not part.empty else part)
if not part.empty:
    st.subheader("部门整体绩效目标")
    overall = pageviews.overall_goal(web.reads.department_texts(ctx.department_id))
    if overall:
        with st.expander("总体绩效目标"):
            st.text(overall)

    def _sub_goals() -> list[tuple[str, web.PreparedTable]]:
        """Each 分项目标 (with the light filter): its heading and its prepared indicator table."""
        dept_shown = part if not lights else part[part["light"].isin(lights)]
        return [(f"**分项目标 {as_int(seq)}：{md(grp['sub_goal_title'].iloc[0])}**",
                 web.prepare_light_table(views.indicator_table(grp).drop(columns=["项目", "一级指标", "二级指标"])))
                for seq, grp in dept_shown.groupby("sub_goal_seq", sort=True)]

    for heading, prepared in web.shared(ctx, "indicator_sub_goals", _sub_goals, tuple(lights)):
        st.markdown(heading)
        web.show_table(prepared, column_config=column_config)


def _workbook() -> bytes:
    frames = {"项目绩效指标": views.drop_internal(table)}
    if not part.empty:
        frames["部门整体绩效目标"] = views.drop_internal(dept_table)
    return exports.dataframe_to_xlsx(
        frames, title=f"{ctx.department_name} {ctx.fiscal_year}年 绩效指标（截至 {ctx.as_of:%Y-%m-%d}）"
        + ("【示例数据】" if ctx.demo else ""))


st.download_button("下载 Excel", data=_workbook, icon=":material/download:",
                   file_name=f"绩效指标_{ctx.department_code}_{ctx.as_of:%Y%m%d}{'_示例数据' if ctx.demo else ''}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore")

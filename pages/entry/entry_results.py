"""指标填报: per project, each indicator's current light and a form for the result to date
(完成值, 全年预计, 偏差原因, 完成可能性, 纠偏措施); Excel template download/upload; history and undo.
Thin: widgets -> perfwatch.entry -> draw."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import streamlit as st

from perfwatch import entry, pageviews, web
from perfwatch.importers.results import parse_results
from perfwatch.store import PERMISSIONS
from perfwatch.textsafe import md
from perfwatch.uploads import check_upload

actor = web.require_role("owner", "admin")
conn = web.connection()
st.title("指标填报")

can_edit = actor.role in PERMISSIONS["result.record"]
if not can_edit:
    st.caption(f"当前身份：{actor.label}。只有项目负责人可以填报指标完成情况。")


if "results_flash" in st.session_state:
    st.success(md(st.session_state.pop("results_flash")), icon=":material/check_circle:")

dept_row = web.pick_department("results_dept")
dept_id = int(dept_row["id"])
year = int(dept_row["fiscal_year"])

choices = pageviews.result_choices(entry.projects_all(conn), actor, dept_id)
options = choices.options  # None = the department-level indicators
if not options:
    st.info("没有分配给您的项目。请联系管理员分配项目。")
    st.stop()
c1, c2 = st.columns([3, 1])
project_id = c1.selectbox("项目", options, format_func=choices.labels.__getitem__,
                          key="results_project")
month = c2.selectbox("填报月份（截至月底）", pageviews.month_choices(),
                     index=entry.default_month(year, last_data=entry.last_data_date(conn, dept_id)) - 1,
                     format_func=lambda m: f"{year}年1–{m}月", key="results_month")
as_of = entry.reporting_as_of(year, month)
locked = dt.date(year, month, 1) in entry.locked_months(conn, dept_id)
st.caption(f"截止日期：{as_of.isoformat()}。" + ("该月已锁定（已上报），不能修改。" if locked else ""))

indicators = entry.indicators_of(conn, dept_id, project_id, department_level=project_id is None)
current = entry.current_results(conn, dept_id, as_of)


def as_input(ind: entry.Indicator) -> entry.ResultInput | None:
    cur = current.get(ind.id)
    if cur is None:
        return None
    f = cur.fields
    return entry.ResultInput(ind.id, cur.as_of, value=f["value"], done_date=f["done_date"], rating=f["rating"],
                             projected_value=f["projected_value"], likelihood=f["likelihood"])


lights = entry.lights_and_reasons(conn, [(ind, as_input(ind)) for ind in indicators], as_of,
                                  figures_of={dept_id: web.reads.project_figures(dept_id, as_of)})
tab_form, tab_file, tab_history = st.tabs(["逐项填报", "模板下载与上传", "修改历史与撤销"])

with tab_form:
    if not indicators:
        st.info("该项目没有绩效指标。")
    web.dataframe(
        [{"三级指标": ind.level3, "年度指标值": ind.target_text, "截至目前": entry.result_to_date(ind, current.get(ind.id), as_of),
          "指标灯": entry.LIGHT_LABELS.get(lights[ind.id][0] or "", "—"), "说明": lights[ind.id][1] or ""}
         for ind in indicators],
        hide_index=True, width="stretch",
    )
    st.caption("指标为黄灯、红灯，或完成可能性选“有可能”“完全不可能”时，必须选择偏差原因类别并填写原因说明、纠偏措施和全年预计完成情况。")
    for ind in indicators:
        light = lights[ind.id][0]
        badge = web.light_markdown(light, entry.LIGHT_LABELS.get(light or "", "未知"))
        cur = current.get(ind.id)
        base_key = f"results_base_{ind.id}_{as_of.isoformat()}"
        if base_key not in st.session_state:  # the row this edit is based on (conflict check)
            st.session_state[base_key] = cur.id if cur is not None and cur.as_of == as_of else None
        f: dict[str, Any] = dict(cur.fields) if cur is not None else {}
        stale = entry.stale_note(ind, cur, as_of)
        box = st.expander(f"{badge}　{md(ind.level2 or '')} · {md(ind.level3)}　目标 {md(ind.target_text)}"
                          + (f"　〔{md(stale)}〕" if stale else ""),
                          key=f"results_open_{ind.id}_{as_of}", on_change="rerun")
        with box:
            if not box.open:  # the form is drawn when its indicator is opened (a page of 20 forms is slow)
                continue
            inp = web.result_form(ind, f, prefix="results", suffix=f"{ind.id}_{as_of}", as_of=as_of,
                                  base_id=st.session_state[base_key], submit_label="保存",
                                  disabled=not can_edit or locked)
            if inp is not None:
                result = web.attempt(lambda inp=inp: entry.save_results(conn, actor, [inp], source="表单填报"))
                if result is not None:
                    web.after_write()
                    st.cache_data.clear()  # also the dashboard's last-data date (web.after_write misses it)
                    st.session_state.pop(base_key, None)
                    st.session_state["results_flash"] = (f"已保存“{ind.level3}”。" if result.written
                                                         else f"“{ind.level3}”没有变化。")
                    st.rerun()

with tab_file:
    st.markdown("下载预填了本项目指标（及已填内容）的 Excel 模板，离线填写后上传。每行一个指标；"
                "也接受含 项目编码、三级指标、截止日期、完成值、完成可能性、偏差原因、纠偏措施 列的 CSV。")
    scope = project_id if project_id is not None else None
    st.download_button(
        "下载填报模板（Excel）",
        data=lambda: entry.results_template(conn, dept_id, as_of, project_id=scope), on_click="ignore",
        file_name=f"指标填报模板_{choices.labels[project_id] if project_id else '部门整体'}_{as_of.isoformat()}.xlsx"
        .replace(" ", "_"),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="results_template",
    )
    upload = web.file_uploader("上传填好的模板或结果文件", ["xlsx", "csv"], key="results_upload",
                              disabled=not can_edit)
    if upload is not None:
        data = upload.getvalue()
        if web.attempt(lambda: check_upload(upload.name, data, {".csv", ".xlsx"})):
            fingerprint = hashlib.sha256(data + str(dept_id).encode()).hexdigest()
            if st.session_state.get("results_plan_key") != fingerprint:
                rf = parse_results(data, upload.name)
                st.session_state["results_plan_key"] = fingerprint
                st.session_state["results_plan"] = entry.plan_results_import(conn, rf, department_id=dept_id)
            plan: entry.ResultsImportPlan = st.session_state["results_plan"]
            if plan.errors:
                st.error(f"文件有 {len(plan.errors)} 处错误，不能导入（不会写入任何数据）。", icon=":material/block:")
                web.dataframe(plan.error_frame(), decimals={"行": 0})
            if plan.inputs:
                st.markdown(f"**预览**：{len(plan.inputs)} 个指标" + (f"，{plan.skipped} 行未填写已跳过" if plan.skipped else ""))
                web.dataframe(plan.preview(), hide_index=True, width="stretch")
            if st.button("确认导入（全部写入）", type="primary", key="results_import_commit",
                         disabled=bool(plan.errors) or not plan.inputs or not can_edit):
                result = web.attempt(lambda: entry.commit_results_import(conn, actor, plan))
                if result is not None:
                    web.after_write()
                    st.cache_data.clear()  # also the dashboard's last-data date (web.after_write misses it)
                    st.session_state.pop("results_plan_key", None)
                    for k in [k for k in st.session_state if str(k).startswith("results_base_")]:
                        st.session_state.pop(k, None)
                    st.session_state["results_flash"] = f"已从 {plan.file} 导入 {result.written} 个指标的填报。"
                    st.rerun()

with tab_history:
    last = entry.last_undoable(conn, dept_id, "result")
    if last is not None:
        st.markdown(f"上一次保存：{md(last.label)}")
        if st.button("撤销上一次保存", key="results_undo_last", disabled=not can_edit):
            result = web.attempt(lambda: entry.undo_batch(conn, actor, last.batch_id))
            if result is not None:
                web.after_write()
                st.cache_data.clear()  # also the dashboard's last-data date (web.after_write misses it)
                for k in [k for k in st.session_state if str(k).startswith("results_base_")]:
                    st.session_state.pop(k, None)
                st.session_state["results_flash"] = f"已撤销：恢复了 {result.written} 项填报的原值。"
                st.rerun()
    else:
        st.caption("没有可撤销的保存。")
    history = entry.result_history(conn, dept_id)
    if history.empty:
        st.info("还没有填报记录。")
    else:
        web.dataframe(history.head(500), hide_index=True, width="stretch")

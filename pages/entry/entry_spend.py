"""支出填报: monthly (or quarterly) spend per project in a grid, file import with preview, period
locks, history and undo. Thin: widgets -> perfwatch.entry -> draw."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

import streamlit as st

from perfwatch import audit_labels, entry, numfmt, web
from perfwatch.importers.spend import FIELD_LABELS, SPEND_FIELDS, parse_spend
from perfwatch.store import PERMISSIONS
from perfwatch.textsafe import md
from perfwatch.uploads import check_upload

actor = web.require_role("finance", "admin")
conn = web.connection()
st.title("支出填报")

can_edit = actor.role in PERMISSIONS["spend.record"]
can_lock = actor.role in PERMISSIONS["period.lock"]
can_unlock = actor.role in PERMISSIONS["period.unlock"]
if not can_edit:
    st.caption(f"当前身份：{actor.label}。录入和导入支出需财务角色；管理员可锁定、解锁月份。")


def attempt(action: Callable[[], Any]) -> Any:
    """A write through web.attempt; spend beyond the budget goes on to the confirmation step."""
    return web.attempt(action, passthrough=(entry.OverBudgetError,))


def flash(text: str) -> None:
    st.session_state["spend_flash"] = text


def reset_grid(dept: int) -> None:
    """Forget the grid's base and edits: the next run loads the current figures into a new editor
    (a new widget key, so the old editor's state cannot trigger another run)."""
    st.session_state.pop(f"spend_base_{dept}", None)
    st.session_state["spend_grid_version"] = st.session_state.get("spend_grid_version", 0) + 1


if "spend_flash" in st.session_state:
    st.success(md(st.session_state.pop("spend_flash")), icon=":material/check_circle:")

dept_row = web.pick_department("spend_dept")
dept_id = int(dept_row["id"])
year = int(dept_row["fiscal_year"])

tab_grid, tab_import, tab_lock, tab_history = st.tabs(["录入支出", "导入文件", "月份锁定", "修改历史与撤销"])

# ------------------------------------------------------------------------------------- grid
with tab_grid:
    quarterly = st.radio("录入方式", ["按月", "按季度"], horizontal=True, key="spend_mode") == "按季度"
    # The grid an edit is based on is kept until it is saved or refreshed, so a concurrent change
    # by someone else is reported as a conflict instead of being overwritten.
    base_key = f"spend_base_{dept_id}"
    if base_key not in st.session_state:
        st.session_state[base_key] = entry.spend_grid(conn, dept_id)
    grid: entry.SpendGrid = st.session_state[base_key]
    frame = grid.frame(quarterly=quarterly)
    editable = grid.editable_columns(quarterly=quarterly) if can_edit else []
    period_cols = list(entry.QUARTER_COLUMNS if quarterly else entry.MONTH_COLUMNS)
    locked_note = "、".join(f"{p.month}月" for p in sorted(grid.locked))
    st.caption("单位：万元。每格为该月（季度）实际支出；灰色列为已锁定、未到或无权编辑的月份。"
               + (f" 已锁定：{locked_note}。" if locked_note else "")
               + (" 按季度录入时，季度合计记入本季度最近一个已开始的月份。" if quarterly else ""))
    column_config: dict[str, Any] = {
        c: st.column_config.NumberColumn(c, min_value=0.0, format="%.2f", step=0.01) for c in period_cols
    }
    column_config["预算数"] = st.column_config.NumberColumn("预算数", format="%.2f")
    column_config["合计"] = st.column_config.NumberColumn("合计", format="%.2f")
    column_config["执行率"] = st.column_config.NumberColumn("执行率", format="%.1f%%")
    edited = web.data_editor(  # an empty month shows blank, not "None"; blank stays NaN (not entered), 0 stays 0
        frame,
        key=f"spend_grid_{st.session_state.get('spend_grid_version', 0)}",
        num_rows="fixed",
        disabled=[c for c in frame.columns if c not in editable],
        column_config=column_config,
    )
    web.full_names(frame["项目名称"])
    try:  # what the person has typed so far, checked on every edit (nothing is written yet)
        pending = entry.grid_changes(grid, edited, quarterly=quarterly)
        if pending:
            st.caption(f"未保存的修改：{len(pending)} 项（"
                       + "、".join(f"{md(c.label)} → {c.amount}" for c in pending[:6])
                       + ("……" if len(pending) > 6 else "") + "）")
    except entry.EntryValidationError as exc:
        st.warning(entry.error_text(exc), icon=":material/warning:")
    confirm = False
    if st.session_state.get("spend_over_budget"):
        st.warning("\n".join(f"- {md(m)}" for m in st.session_state["spend_over_budget"]), icon=":material/savings:")
        confirm = st.checkbox("我已核实，确认保存超过预算的支出", key="spend_confirm_over")
    c1, c2 = st.columns([1, 5])
    if c1.button("保存", type="primary", disabled=not can_edit, key="spend_save"):
        try:
            changes = entry.grid_changes(grid, edited, quarterly=quarterly)
            if not changes:
                st.info("没有修改。")
            else:
                result = entry.save_spend(conn, actor, changes, source="表格录入", confirm_over_budget=confirm)
                web.after_write()
                st.session_state.pop("spend_over_budget", None)
                reset_grid(dept_id)
                flash(f"已保存 {result.written} 项支出" + (f"（{result.unchanged} 项与原值相同）" if result.unchanged else "")
                      + "。可在“修改历史与撤销”中撤销。")
                st.rerun()
        except entry.OverBudgetError as exc:
            st.session_state["spend_over_budget"] = exc.messages[:-1]
            st.rerun()
        except entry.USER_ERRORS as exc:
            st.error(entry.error_text(exc), icon=":material/warning:")
    if c2.button("刷新（放弃未保存的修改）", key="spend_refresh"):
        reset_grid(dept_id)
        st.session_state.pop("spend_over_budget", None)
        st.rerun()


def _import_file(upload: Any) -> None:
    """Preview (and on confirmation commit) one uploaded spend file."""
    data = upload.getvalue()
    ok = attempt(lambda: check_upload(upload.name, data, {".csv", ".xlsx", ".xls", ".txt"}))
    if ok:
        mapping = {f: st.session_state.get(f"spend_map_{f}") for f in SPEND_FIELDS}
        sf = parse_spend(data, upload.name, mapping={k: v for k, v in mapping.items() if v}, unit=None)
        unit_choice: str | None = None
        if sf.unit_source != "header":
            # Never guessed: a file that does not state its unit waits for the user's choice (no default).
            unit_choice = st.radio("文件未注明金额单位，请选择（元 或 万元）", ["元", "万元"], index=None,
                                   horizontal=True, key="spend_unit",
                                   help="国库支付明细多为元，汇总表多为万元；选错会差 1 万倍。")
            if unit_choice is None:
                st.warning("请先选择金额单位，再预览和导入。", icon=":material/straighten:")
                return
            sf = parse_spend(data, upload.name, mapping={k: v for k, v in mapping.items() if v}, unit=unit_choice)
        with st.expander("列对应（表头无法识别时请在此指定）", expanded=sf.needs_mapping):
            options = [""] + [h for h in sf.header if h]
            cols = st.columns(3)
            for k, f in enumerate(SPEND_FIELDS):
                current = sf.mapping.get(f, "")
                cols[k].selectbox(FIELD_LABELS[f], options, index=options.index(current) if current in options else 0,
                                  key=f"spend_map_{f}")
        fingerprint = hashlib.sha256(data + repr(sorted(sf.mapping.items())).encode() + sf.unit.encode()
                                     + str(dept_id).encode()).hexdigest()
        if st.session_state.get("spend_plan_key") != fingerprint:
            st.session_state["spend_plan_key"] = fingerprint
            st.session_state["spend_plan"] = entry.plan_spend_import(conn, sf, department_id=dept_id)
        plan: entry.SpendImportPlan = st.session_state["spend_plan"]
        st.caption(f"读取 {plan.rows_read} 行有效数据，金额单位：{plan.unit}"
                   f"{'（来自表头）' if sf.unit_source == 'header' else ''}；"
                   f"覆盖月份：{'、'.join(entry.month_label(m) for m in plan.months) or '—'}。")
        if plan.errors:
            st.error(f"文件有 {len(plan.errors)} 处错误，不能导入（不会写入任何数据）。请修改文件后重新上传。", icon=":material/block:")
            web.dataframe(plan.error_frame(), decimals={"行": 0})
        for w in plan.warnings:
            st.info(w)
        confirm_import = True
        if plan.implausible:
            st.warning(plan.implausible, icon=":material/straighten:")
            confirm_import = st.checkbox(f"我已核实，金额单位确为“{plan.unit}”", key="spend_import_confirm_unit")
        if plan.over_budget:
            st.warning("\n".join(f"- {md(m)}" for m in plan.over_budget), icon=":material/savings:")
            confirm_import = confirm_import and st.checkbox("我已核实，确认导入超过预算的支出",
                                                            key="spend_import_confirm_over")
        if plan.changes or plan.unchanged:
            st.markdown(f"**预览**：更新 {len(plan.changes)} 个项目月份，{len(plan.unchanged)} 个与现有数值相同。")
            web.dataframe(plan.preview(), hide_index=True, width="stretch")
        if st.button("确认导入（全部写入）", type="primary", key="spend_import_commit",
                     disabled=bool(plan.errors) or not plan.changes or not can_edit or not confirm_import):
            result = attempt(lambda: entry.commit_spend_import(conn, actor, plan,
                                                               confirm_over_budget=bool(plan.over_budget)))
            if result is not None:
                web.after_write()
                st.session_state.pop("spend_plan_key", None)
                reset_grid(dept_id)
                flash(f"已从 {plan.file} 导入：写入 {result.written} 项支出。")
                st.rerun()



# ------------------------------------------------------------------------------------- import
with tab_import:
    st.markdown("上传国库支付或财务系统导出的支出表（CSV 或 Excel .xlsx）：逐笔记录或按月/季度合计均可。"
                "表头需包含 **项目编码、支出日期、支出金额**（也识别 project_code、date、amount 等）。"
                "文件覆盖的每个项目月份，以文件中该月合计**替换**原数（原数保留在历史中），重复导入不会重复计算。")
    upload = web.file_uploader("支出文件", ["csv", "xlsx", "xls", "txt"], key="spend_upload", disabled=not can_edit,
                              help="国库支付明细、会计明细账或按月/季合计表：CSV、XLSX、另存为 .xls 的网页/XML 表格、Unicode 文本（.txt）")
    if upload is not None:
        _import_file(upload)

# ------------------------------------------------------------------------------------- locks
with tab_lock:
    states = entry.lock_states(conn, dept_id)
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    web.dataframe(
        [{"月份": entry.month_label(p),
          "状态": "已锁定" if states.get(p) and states[p].locked else "开放",
          "操作人": audit_labels.actor_label(states[p].changed_by) if p in states else "",
          "时间": states[p].changed_at.strftime("%Y-%m-%d %H:%M") if p in states else ""} for p in months],
        hide_index=True, width="stretch",
    )
    st.caption("锁定的月份不能再修改支出，也不能修改截止日期在该月的指标填报。财务、管理员可锁定；只有管理员可解锁。")
    if can_lock:
        open_months = [p for p in months if not (states.get(p) and states[p].locked)]
        to_lock = st.multiselect("锁定月份（上报后）", open_months, format_func=entry.month_label, key="spend_lock_months", placeholder="请选择")
        if st.button("锁定", key="spend_lock", disabled=not to_lock):
            n = attempt(lambda: entry.set_lock(conn, actor, dept_id, to_lock, True))
            if n is not None:
                reset_grid(dept_id)
                flash(f"已锁定 {n} 个月份。")
                st.rerun()
    if can_unlock:
        locked_list = [p for p in months if states.get(p) and states[p].locked]
        to_unlock = st.multiselect("解锁月份", locked_list, format_func=entry.month_label, key="spend_unlock_months", placeholder="请选择")
        if st.button("解锁", key="spend_unlock", disabled=not to_unlock):
            n = attempt(lambda: entry.set_lock(conn, actor, dept_id, to_unlock, False))
            if n is not None:
                reset_grid(dept_id)
                flash(f"已解锁 {n} 个月份。")
                st.rerun()
    history = entry.lock_history(conn, dept_id)
    if not history.empty:
        st.markdown("**锁定记录**")
        web.dataframe(history, hide_index=True, width="stretch")

# ------------------------------------------------------------------------------------- history
with tab_history:
    last = entry.last_undoable(conn, dept_id, "spend")
    if last is not None:
        st.markdown(f"上一次保存：{md(last.label)}")
        if st.button("撤销上一次保存", key="spend_undo_last", disabled=not can_edit):
            result = attempt(lambda: entry.undo_batch(conn, actor, last.batch_id))
            if result is not None:
                web.after_write()
                reset_grid(dept_id)
                flash(f"已撤销：恢复了 {result.written} 项支出的原值（撤销本身也记录在历史中）。")
                st.rerun()
    else:
        st.caption("没有可撤销的保存。")
    history = entry.spend_history(conn, dept_id)
    if history.empty:
        st.info("还没有录入过支出。")
    else:
        web.dataframe(history.head(500), hide_index=True, width="stretch")
        current_rows = history[history["当前值"]]
        if can_edit and not current_rows.empty:
            opts = list(range(len(current_rows)))
            pick = st.selectbox(
                "撤销某一格的最近一次修改", opts, key="spend_undo_cell_pick",
                format_func=lambda i: (f"{current_rows.iloc[i]['项目编码']} {current_rows.iloc[i]['项目名称']} "
                                       f"{current_rows.iloc[i]['月份']}：{numfmt.money(current_rows.iloc[i]['新数（万元）'])} 万元"
                                       f"（{current_rows.iloc[i]['填报人']} {current_rows.iloc[i]['时间']}）"),
            )
            if st.button("撤销这一格", key="spend_undo_cell"):
                row_id = int(current_rows.iloc[pick]["记录号"])
                info = entry.spend_row(conn, row_id)
                result = attempt(lambda: entry.undo_spend_cell(conn, actor, info[1], info[2], row_id))
                if result is not None:
                    web.after_write()
                    reset_grid(dept_id)
                    flash("已撤销该格的最近一次修改。")
                    st.rerun()

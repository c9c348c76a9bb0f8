"""项目填报: one project's monitoring round on one page, as owners fill the paper form -- the
declaration (全年预计执行数, 支出偏差原因, 纠偏措施, 项目总体目标执行情况), every indicator's result
(完成值, 全年预计完成情况, 偏差原因, 完成可能性, 纠偏措施), 佐证材料, and 提交 / 审核 / 退回.
Thin: widgets -> perfwatch.project_round / declarations / review / attachments -> draw."""

from __future__ import annotations

from typing import Any

import streamlit as st

from perfwatch import (
    attachments,
    declarations,
    entry,
    project_round,
    review,
    views,
    web,
)
from perfwatch.vocab import CAUSE_CATEGORIES

actor = web.require_role("owner", "finance", "admin")
conn = web.connection()
st.title("项目填报")

if "round_flash" in st.session_state:
    st.success(st.session_state.pop("round_flash"), icon=":material/check_circle:")

dept_row = web.pick_department("round_dept")
dept_id, year = int(dept_row["id"]), int(dept_row["fiscal_year"])
projects = project_round.projects_for(conn, actor, dept_id)
if not projects:
    st.info("没有分配给您的项目。请联系管理员分配项目。")
    st.stop()
names = {p.id: f"{p.code} {p.name}" for p in projects}
c1, c2 = st.columns([3, 1])
project_id = c1.selectbox("项目", list(names), format_func=names.__getitem__, key="round_project")
month = c2.selectbox("填报月份（截至月底）", list(range(1, 13)),
                     index=entry.default_month(year, last_data=web.reads.latest_data([dept_id])) - 1,
                     format_func=lambda m: f"{year}年1–{m}月", key="round_month")
as_of = entry.reporting_as_of(year, month)
view = project_round.load(conn, actor, project_id, as_of, web.reads.department_status(dept_id, as_of))
key = f"{project_id}_{as_of.isoformat()}"


def done(message: str) -> None:
    web.after_write()
    st.cache_data.clear()
    st.session_state["round_flash"] = message
    st.rerun()


def file_list(indicator_id: int | None, where: str) -> None:
    files = view.files_of(indicator_id)
    if files.empty:
        st.caption("佐证材料：无")
        return
    st.caption("佐证材料：")
    for r in files.to_dict("records"):
        c_name, c_dl, c_rm = st.columns([5, 1, 1], vertical_alignment="center")
        c_name.markdown(f"{r['file_name']}（{r['size_text']}，{r['uploaded_by']} 上传）")
        item = attachments.get(conn, int(r["id"]))
        c_dl.download_button("下载", data=item.content, file_name=item.file_name, mime=item.media_type,
                             key=f"round_dl_{where}_{r['id']}")
        rid, rname = int(r["id"]), str(r["file_name"])
        if (view.can_attach and c_rm.button("移除", key=f"round_rm_{where}_{rid}")
                and web.attempt(lambda rid=rid: attachments.remove(conn, actor, rid)) is not None):
            done(f"已移除佐证材料“{rname}”。")


# ------------------------------------------------------------------ state and spend pace
with st.container(horizontal=True, vertical_alignment="center"):
    st.markdown(f"**审核状态**：{view.state_label}")
    st.markdown("**支出进度**")
    if view.pace.light:
        web.light_badge(view.pace.light, help=view.pace.reason)
if view.state == "returned" and view.state_comment:
    st.warning(f"财务退回意见：{view.state_comment}", icon=":material/undo:")
if view.read_only_reason:
    st.info(view.read_only_reason, icon=":material/lock:")
m1, m2, m3, m4 = st.columns(4)
m1.metric("预算数（万元）", views.money(view.pace.budget), border=True)
m2.metric(f"1–{month}月执行数（万元）", views.money(view.pace.spent), border=True)
m3.metric(f"1–{month}月执行率", views.pct(view.pace.execution_pct), border=True, help=view.pace.reason)
m4.metric("计划应达", views.pct(view.pace.expected_pct), border=True)
if view.pace.reason:
    st.caption(view.pace.reason)

# ------------------------------------------------------------------ declaration
st.subheader("一、全年预计与支出偏差")
d = view.declaration
if view.cause_required:
    st.caption(view.cause_required)
with st.form(key=f"round_decl_{key}"):
    amount = st.number_input("全年预计执行数（万元）", min_value=0.0, max_value=float(view.pace.budget),
                             value=None if d.projected_amount is None else float(d.projected_amount), step=0.01,
                             format="%.2f", key=f"round_amount_{key}", placeholder="待填报")
    cats = st.multiselect("支出偏差原因类别", list(CAUSE_CATEGORIES), default=list(d.cause_categories),
                          key=f"round_cats_{key}", placeholder="请选择")
    cause = st.text_area("支出偏差原因", value=d.cause_text or "", height=68, key=f"round_cause_{key}")
    measure = st.text_area("纠偏措施", value=d.measure or "", height=68, key=f"round_measure_{key}")
    progress = st.text_area(f"项目总体目标 1–{month}月执行情况", value=d.progress_text or "", height=90,
                            key=f"round_progress_{key}")
    saved = st.form_submit_button("保存项目填报", type="primary", disabled=not view.can_edit)
if d.projected_amount is not None:
    st.caption(f"当前填报：全年预计执行数 {views.money(float(d.projected_amount))} 万元，预计结转结余 "
               f"{views.money(view.pace.budget - float(d.projected_amount))} 万元"
               + ("" if d.id is not None else f"（沿用 {d.as_of} 的填报，本期尚未保存）"))
if saved:
    decl = declarations.Declaration(project_id, view.as_of, None if amount is None else f"{amount:.2f}", tuple(cats),
                                    cause, measure, progress, base_id=d.id)
    if web.attempt(lambda: declarations.save(conn, actor, [decl])) is not None:
        done("已保存项目填报。")
file_list(None, "decl")
with st.expander("Excel 模板：下载、离线填写后上传"):
    st.download_button("下载项目填报模板（Excel）", on_click="ignore",
                       data=lambda: declarations.template(conn, dept_id, as_of, project_ids=[project_id]),
                       file_name=f"项目填报模板_{view.project.code}_{as_of.isoformat()}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"round_tpl_{key}")
    sheet = web.file_uploader("上传填好的模板（.xlsx 或 .csv）", ["xlsx", "csv"], key=f"round_sheet_{key}",
                              disabled=not view.can_edit)
    if sheet is not None:
        plan = declarations.plan_import(conn, sheet.getvalue(), sheet.name, department_id=dept_id)
        if plan.errors:
            st.error(f"文件有 {len(plan.errors)} 处错误，不能导入（不会写入任何数据）。", icon=":material/block:")
            web.dataframe(plan.error_frame(), decimals={"行": 0})
        else:
            web.dataframe(plan.preview())
            if (st.button("确认导入（全部写入）", type="primary", key=f"round_sheet_commit_{key}")
                    and web.attempt(lambda: declarations.commit_import(conn, actor, plan)) is not None):
                done(f"已从 {sheet.name} 导入 {len(plan.declarations)} 个项目的填报。")

# ------------------------------------------------------------------ indicators
st.subheader("二、绩效指标完成情况")
st.caption("指标为黄灯、红灯，或完成可能性选“有可能”“完全不可能”时，必须填写偏差原因类别及原因说明、纠偏措施和全年预计完成情况。")
if not view.can_record_results:
    st.caption("指标完成值由项目负责人填报，当前身份只能查看。")
for row in view.indicators:
    ind, cur = row.indicator, row.current
    f: dict[str, Any] = dict(cur.fields) if cur is not None else {}
    base = cur.id if cur is not None and cur.as_of == as_of else None
    label = entry.LIGHT_LABELS.get(row.light or "", "未判定")
    stale = f"　〔{row.stale_note}〕" if row.stale_note else ""
    box = st.expander(f"{ind.level2 or ''} · {ind.level3}　目标 {ind.target_text}　〔{label}〕{stale}",
                      key=f"round_open_{ind.id}_{key}", on_change="rerun")
    with box:
        if row.stale_note:
            st.warning(f"{row.stale_note}，请填报截至{as_of.month}月{as_of.day}日的完成值。", icon=":material/update:")
        if row.reason:
            st.caption(f"{label}：{row.reason}")
        if not box.open:  # the form is drawn when its indicator is opened (a page of 20 forms is slow)
            continue
        inp = web.result_form(ind, f, prefix="round", suffix=f"{ind.id}_{key}", as_of=as_of, base_id=base,
                              submit_label="保存指标", disabled=not (view.can_edit and view.can_record_results))
        if inp is not None:
            result = web.attempt(lambda inp=inp: project_round.save_results(conn, actor, [inp]))
            if result is not None:
                done(f"已保存“{ind.level3}”。" if result.written else f"“{ind.level3}”没有变化。")
        file_list(ind.id, f"ind{ind.id}")

# ------------------------------------------------------------------ attachments
st.subheader("三、佐证材料")
st.caption(f"可上传 PDF、图片（PNG/JPG）、Excel（.xlsx）、Word（.docx），单个文件不超过 "
           f"{attachments.MAX_BYTES // 1024 // 1024} MB；按文件内容检查类型。")
targets: dict[int, str] = {0: "项目填报（全年预计与偏差原因）"} | {r.indicator.id: f"指标：{r.indicator.level3}"
                                                          for r in view.indicators}
with st.form(key=f"round_upload_{key}", clear_on_submit=True):
    target = st.selectbox("附于", list(targets), format_func=targets.__getitem__, key=f"round_target_{key}")
    upload = web.file_uploader("选择文件", [e.lstrip(".") for e in attachments.ACCEPTED_EXTENSIONS],
                               key=f"round_file_{key}", disabled=not view.can_attach,
                               max_mb=attachments.MAX_BYTES // 1024 // 1024)
    sent = st.form_submit_button("上传佐证材料", disabled=not view.can_attach)
if sent:
    if upload is None:
        st.error("请先选择文件。", icon=":material/warning:")
    else:
        data = upload.getvalue()
        aid = web.attempt(lambda: attachments.add(conn, actor, project_id, as_of, upload.name, data,
                                                 indicator_id=target or None))
        if aid is not None:
            done(f"已上传佐证材料“{upload.name}”。")
if not view.attachments.empty:
    web.dataframe(view.attachments.rename(columns={"attached_to": "附于", "file_name": "文件", "size_text": "大小",
                                                   "uploaded_by": "上传人", "sha256": "SHA-256"})
                  [["附于", "文件", "大小", "上传人", "SHA-256"]])

# ------------------------------------------------------------------ review
st.subheader("四、提交与审核")
st.markdown(f"当前状态：**{view.state_label}**")
if (view.can_submit and st.button("提交审核", type="primary", key=f"round_submit_{key}")
        and web.attempt(lambda: review.submit(conn, actor, project_id, as_of)) is not None):
    done("已提交审核。")
if view.can_review:
    with st.form(key=f"round_review_{key}"):
        comment = st.text_area("审核意见（退回时必填）", key=f"round_comment_{key}", height=68)
        b1, b2 = st.columns(2)
        ok = b1.form_submit_button("审核通过", type="primary", disabled=view.state != "submitted")
        back = b2.form_submit_button("退回修改")
    if ok and web.attempt(lambda: review.approve(conn, actor, project_id, as_of, comment)) is not None:
        done("已审核通过。")
    if back and web.attempt(lambda: review.send_back(conn, actor, project_id, as_of, comment)) is not None:
        done("已退回，负责人可修改后重新提交。")
if not view.history.empty:
    web.dataframe(view.history)

"""目标导入: drop in the published targets (text, PDF, Word or Excel), review and correct, commit."""

from __future__ import annotations

import streamlit as st

from perfwatch import numfmt, web
from perfwatch.dataset import export_dataset, load_targets
from perfwatch.importers.targets import ACCEPTED, read_targets
from perfwatch.importers.targets_review import (
    EDITABLE,
    KIND_CHOICES,
    apply_corrections,
    blocking_errors,
    corrections_between,
    review_frame,
    review_rows,
)
from perfwatch.importers.targets_text import TargetsParseError
from perfwatch.importers.targets_xlsx import write_template
from perfwatch.store import PermissionDenied, ValidationError
from perfwatch.targets_view import findings_frame, preview_frames
from perfwatch.textsafe import md
from perfwatch.uploads import check_upload

actor = web.require_role("admin")
conn = web.connection()
st.title("绩效目标导入")
st.caption(
    "上传预算公开的绩效目标表（PDF、Word .docx、Excel，或从 PDF 复制的文本）或填好的 Excel 模板，"
    "逐行核对识别结果和审核发现，必要时直接更正单元格，然后一次性写入（更正记入操作日志）。"
    "同一部门和年度再次导入时按项目编码和指标原位更新，旧版本保留在操作日志中，已填报的数据不会丢失。"
)

with st.expander("下载 Excel 模板"):
    c1, c2 = st.columns(2)
    c1.download_button("空白模板", lambda: write_template(None), "绩效目标模板.xlsx", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    c2.download_button("含当前数据的模板", lambda: write_template(export_dataset(conn)), "绩效目标_当前数据.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore")

tab_file, tab_paste = st.tabs(["上传文件", "粘贴文本"])
with tab_file:
    upload = web.file_uploader("绩效目标文件", [e.lstrip(".") for e in ACCEPTED], key="targets_upload")
with tab_paste:
    pasted = st.text_area("从 PDF 复制的绩效目标表文本", height=200, key="targets_paste")
year = st.number_input("年度（文件中无法识别年度时填写）", min_value=0, max_value=2100, value=0, step=1,
                       help="0 表示从文件中识别")

source: tuple[str, bytes] | None = None
if upload is not None:
    source = (upload.name, upload.getvalue())
elif pasted.strip():
    source = ("粘贴文本.txt", pasted.encode("utf-8"))

if source is None:
    st.info("请上传文件或粘贴文本。")
    st.stop()

name, content = source
try:
    if upload is not None:
        check_upload(name, content, ACCEPTED)
    bar = st.progress(0.0, text=f"正在读取 {name}…")

    def _progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"正在读取 {name}：第 {done}/{total} 页")

    result = read_targets(name, content, fiscal_year=int(year) or None, progress=_progress)
    bar.empty()
except (ValidationError, TargetsParseError) as exc:
    st.error(f"无法导入 {md(name)}：{md(exc)}", icon="🚫")
    st.stop()

data = result.data
frames = preview_frames(data)
for d in data["departments"]:
    st.subheader(f"{md(d['code'])} {md(d['name'])}（{d['fiscal_year']} 年度）")
c1, c2, c3, c4 = st.columns(4)
c1.metric("项目数", len(data["projects"]))
c2.metric("预算合计（万元）", numfmt.money(sum(p['budget'] for p in data['projects'])))
c3.metric("项目指标数", len(frames["indicators"]))
c4.metric("部门整体指标数", len(frames["sub_goals"]))

findings = findings_frame(result.findings)
errors = int((findings["级别"] == "错误").sum())
warnings = int((findings["级别"] == "警告").sum())
st.markdown(f"**审核发现**：错误 {errors} 条，警告 {warnings} 条，提示 {len(findings) - errors - warnings} 条")
if not findings.empty:
    web.dataframe(findings, decimals={"行号": 0})

t1, t2, t3 = st.tabs(["项目", "项目指标（核对与更正）", "部门整体指标"])
with t1:
    web.dataframe(frames["projects"])
rows = review_rows(result)
with t2:
    st.caption("每行右侧是它在原文中的位置和原文，以及关于这一行的审核发现。可直接更正白色单元格或选择指标值类型；"
               "更正在写入时一并记入操作日志。")
    shown = review_frame(rows)
    edited = web.data_editor(
        shown, key=f"targets_review_{name}_{len(content)}",
        disabled=[c for c in shown.columns if c not in EDITABLE.values()],
        column_config={
            "有错误": st.column_config.CheckboxColumn("有错误", width="small"),
            "类型": st.column_config.SelectboxColumn("类型", options=list(KIND_CHOICES.values())),
            "项目序号": st.column_config.NumberColumn("项目", width="small"),
            "指标序号": st.column_config.NumberColumn("行", width="small"),
            "发现": st.column_config.TextColumn("发现", width="large"),
            "来源": st.column_config.TextColumn("来源", width="small"),
            "原文": st.column_config.TextColumn("原文", width="large"),
        },
    )
with t3:
    web.dataframe(frames["sub_goals"])

edits = corrections_between(shown.to_dict("records"), edited.to_dict("records"))
data, changes = apply_corrections(data, edits)
if changes:
    st.info(f"已更正 {len(changes)} 处，写入时记入操作日志：" + "；".join(
        f"{c['project']} 第 {c['indicator']} 个指标的“{EDITABLE[c['field']]}”由“{c['old'] or ''}”改为“{c['new'] or ''}”"
        for c in changes))
blocking = blocking_errors(result, data, changes)
if blocking:
    st.error(f"还有 {len(blocking)} 条错误，不能写入。请在“项目指标（核对与更正）”中更正对应的行，或修正文件后重新上传。")
    st.stop()
if st.button("确认写入数据库", type="primary"):
    try:
        summary = load_targets(conn, actor, data, source=name, corrections=changes)
    except (ValidationError, PermissionDenied) as exc:
        st.error(md(exc), icon="🚫")
        st.stop()
    web.after_write()
    st.success(
        f"已写入：新增项目 {summary.projects_added}，更新项目 {summary.projects_updated}，停用项目 {summary.projects_retired}；"
        f"新增指标 {summary.indicators_added}，更新指标 {summary.indicators_updated}，停用指标 {summary.indicators_retired}。",
        icon="✅",
    )
    for w in summary.warnings:
        st.warning(md(w))

"""Review before commit (issue 14 item 6): rows beside their source and findings, and corrections.

Pure functions for the 目标导入 page (no streamlit, no database):

- ``review_rows``: one display row per project indicator: the parsed cells, where it came from
  (page/table row or text lines, with the source text) and every finding about that row;
- ``apply_corrections``: the admin's cell edits (or a chosen value kind) applied to a copy of the
  dataset; target fields are re-read from the corrected 指标值; returns the changes for the audit;
- ``blocking_errors``: the error findings still standing after the corrections.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from perfwatch.importers.targets_checks import check_invariants
from perfwatch.importers.targets_text import (
    VALUE_FORMS,
    Finding,
    ParseResult,
    classify_value,
)

# editable cells: dataset field -> column label
EDITABLE: dict[str, str] = {
    "level1": "一级指标", "level2": "二级指标", "level3": "三级指标", "description": "绩效指标描述",
    "target_text": "指标值", "basis": "指标值确定依据", "kind": "类型",
}
KIND_CHOICES: dict[str, str] = {
    "count": "数量", "rate": "比率", "ceiling": "上限", "zero": "零目标", "cost": "成本", "deadline": "期限",
    "qualitative": "定性",
}
_KIND_BY_LABEL = {v: k for k, v in KIND_CHOICES.items()}


def _meta_for(result: ParseResult, seq: Any, index: int) -> dict[str, Any]:
    return next((r for r in result.rows if r.get("project") == seq and r.get("index") == index), {})


def _source_label(meta: dict[str, Any]) -> str:
    if meta.get("page") is not None:
        label = f"第 {meta['page']} 页表格第 {meta.get('row')} 行"
        if meta.get("continued"):
            label += "（续：" + "、".join(meta["continued"]) + "）"
        return label
    lines = meta.get("lines") or []
    if not lines:
        return ""
    return f"第 {lines[0]} 行" if len(lines) == 1 else f"第 {lines[0]}–{lines[-1]} 行"


def row_findings(findings: Sequence[Finding], proj: dict[str, Any], ind: dict[str, Any], meta: dict[str, Any]) -> list[Finding]:
    """The findings about one indicator row: same place name, a line of the row, or its project/level path."""
    lines = set(meta.get("lines") or [])
    path = f"/{ind.get('level2')}/{ind.get('level3')}"
    prefix = f"项目 {proj.get('seq')} "
    out = []
    for f in findings:
        if (meta.get("where") and f.where == meta["where"]) or (f.line is not None and f.line in lines) \
                or (f.where.startswith(prefix) and f.where.endswith(path)):
            out.append(f)
    return out


def review_rows(result: ParseResult) -> list[dict[str, Any]]:
    """Display rows: 项目, 序号, the editable cells, 识别为, 来源, 原文 and 发现 (findings of that row)."""
    severity = {"error": "错误", "warning": "警告", "info": "提示"}
    out: list[dict[str, Any]] = []
    for proj in result.data.get("projects") or []:
        for k, ind in enumerate(proj.get("indicators") or []):
            meta = _meta_for(result, proj.get("seq"), k)
            notes = row_findings(result.findings, proj, ind, meta)
            row: dict[str, Any] = {"项目序号": proj.get("seq"), "项目": proj.get("name"), "指标序号": k + 1}
            for key, label in EDITABLE.items():
                row[label] = KIND_CHOICES.get(ind.get(key) or "", ind.get(key)) if key == "kind" else (ind.get(key) or "")
            form = meta.get("form")
            row["识别为"] = VALUE_FORMS.get(form, "") if form else ""
            row["来源"] = _source_label(meta)
            row["原文"] = meta.get("source") or ""
            row["发现"] = "；".join(f"[{severity.get(f.severity, f.severity)}] {f.message}" for f in notes)
            row["有错误"] = any(f.severity == "error" for f in notes)
            out.append(row)
    return out


def corrections_between(before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cell edits between two lists of review rows (same order): project seq, index, field, old, new."""
    edits = []
    for b, a in zip(before, after, strict=True):
        for key, label in EDITABLE.items():
            old, new = b.get(label), a.get(label)
            if (old or "") != (new or ""):
                if key == "kind":
                    old, new = _KIND_BY_LABEL.get(str(old), old), _KIND_BY_LABEL.get(str(new), new)
                edits.append({"project": b["项目序号"], "index": b["指标序号"] - 1, "field": key,
                              "old": old, "new": (new or "").strip() if isinstance(new, str) else new})
    return edits


def apply_corrections(data: dict[str, Any], edits: Sequence[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A corrected copy of ``data`` and the changes made (with where, for the audit).

    Editing 指标值 re-reads comparator, value, unit, deadline and kind from the new text; picking a
    kind sets it (with the value read from the text when that kind has one).
    """
    out = copy.deepcopy(data)
    by_seq = {p.get("seq"): p for p in out.get("projects") or []}
    changes: list[dict[str, Any]] = []
    for e in edits:
        proj = by_seq.get(e["project"])
        if proj is None or not 0 <= e["index"] < len(proj["indicators"]):
            continue
        ind = proj["indicators"][e["index"]]
        field, new = e["field"], e["new"]
        if field not in EDITABLE:
            continue
        old = ind.get(field)
        if field == "target_text":
            cls = classify_value(new)
            tv = cls.value
            ind.update(target_text=new, comparator=tv.comparator, value=tv.value, unit=tv.unit,
                       deadline=tv.deadline, kind=tv.kind)
        elif field == "kind":
            if new not in KIND_CHOICES:
                continue
            ind["kind"] = new
            if new == "qualitative":
                ind.update(comparator="qualitative", value=None, unit=None, deadline=None)
        else:
            ind[field] = new or None if field == "basis" else new
        changes.append({
            "project_code": proj.get("code"), "project": proj.get("name"), "indicator": e["index"] + 1,
            "field": field, "old": old, "new": ind.get(field),
        })
    return out, changes


def blocking_errors(result: ParseResult, corrected: dict[str, Any], changes: Sequence[dict[str, Any]]) -> list[Finding]:
    """Errors that still block the write: errors of rows nobody corrected, and invariants of the corrected data."""
    touched = {(c["project_code"], c["indicator"] - 1) for c in changes}
    attached: set[int] = set()
    fixed: set[int] = set()
    for proj in result.data.get("projects") or []:
        for k, ind in enumerate(proj.get("indicators") or []):
            for f in row_findings(result.findings, proj, ind, _meta_for(result, proj.get("seq"), k)):
                attached.add(id(f))
                if (proj.get("code"), k) in touched:
                    fixed.add(id(f))
    left = [f for f in result.findings if f.severity == "error" and id(f) not in fixed
            and (id(f) in attached or not _is_invariant(f))]
    left += [f for f in check_invariants(corrected) if f.severity == "error"]
    return left


def _is_invariant(f: Finding) -> bool:
    return f.message.startswith("缺少：")


# what a reviewer reads first: the row, its value, the findings and the source; then the other cells
REVIEW_COLUMNS = ["项目序号", "指标序号", "三级指标", "指标值", "类型", "识别为", "发现", "来源", "原文",
                  "一级指标", "二级指标", "绩效指标描述", "指标值确定依据", "项目"]


def review_frame(rows: Sequence[dict[str, Any]]) -> Any:
    """The review rows as a pandas DataFrame in display order (the 有错误 flag first, for sorting)."""
    import pandas as pd

    frame = pd.DataFrame(list(rows), columns=["有错误", *REVIEW_COLUMNS])
    return frame

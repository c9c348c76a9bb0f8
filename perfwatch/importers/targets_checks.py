"""Invariants checked after every targets parse, and the cross-check of two readings of one PDF.

Each broken invariant is a finding naming the project, the row (page/line when known) and the
column; nothing is fixed silently. The invariants (issue 14 item 3):

- every indicator has 一级/二级/三级指标, a description and a target_text;
- 财政资金 + 其他资金 = 预算数; the spending plan is non-decreasing and ends at 100 (see the review);
- project codes are complete across wraps (no spaces, the same length as the document's other codes);
- the rows found equal the rows in the table (table path: every data row is an indicator or a
  continuation; text path: every line is placed or listed as unplaced, which the parser reports).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from perfwatch.importers.targets_text import Finding

_FIELDS = (("level1", "一级指标"), ("level2", "二级指标"), ("level3", "三级指标"), ("description", "绩效指标描述"),
           ("target_text", "指标值"))


def _row_where(proj: dict[str, Any], k: int, ind: dict[str, Any], rows: Sequence[dict[str, Any]]) -> tuple[str, int | None]:
    meta = next((r for r in rows if r.get("project") == proj.get("seq") and r.get("index") == k), None)
    base = f"项目 {proj.get('seq')}“{proj.get('name', '')}”第 {k + 1} 个指标“{ind.get('level3') or '?'}”"
    if meta is None:
        return base, None
    if meta.get("page") is not None:
        return f"{base}（第 {meta['page']} 页表格第 {meta.get('row')} 行）", None
    lines = meta.get("lines") or []
    return (f"{base}（第 {lines[0]} 行）" if lines else base), (lines[0] if lines else None)


def check_invariants(data: dict[str, Any], rows: Sequence[dict[str, Any]] = ()) -> list[Finding]:
    """Findings for every broken invariant of a parsed dataset (``rows``: ParseResult.rows)."""
    out: list[Finding] = []
    projects = data.get("projects") or []
    lengths = Counter(len(p.get("code") or "") for p in projects if p.get("code"))
    usual = lengths.most_common(1)[0][0] if lengths else 0
    for proj in projects:
        label = f"项目 {proj.get('seq')}“{proj.get('name', '')}”"
        code = proj.get("code") or ""
        if not code:
            out.append(Finding("error", label, "项目编码为空"))
        elif any(c.isspace() for c in code):
            out.append(Finding("error", label, f"项目编码“{code}”中有空白，可能是换行未拼接完整"))
        elif len(lengths) > 1 and len(code) != usual and lengths[len(code)] == 1:
            out.append(Finding("warning", label, f"项目编码“{code}”有 {len(code)} 位，本文档其他项目编码为 {usual} 位，请核对是否换行截断"))
        if not (proj.get("name") or "").strip():
            out.append(Finding("error", label, "项目名称为空"))
        for k, ind in enumerate(proj.get("indicators") or []):
            missing = [name for key, name in _FIELDS if not (ind.get(key) or "").strip()]
            if missing:
                where, line = _row_where(proj, k, ind, rows)
                out.append(Finding("error", where, f"缺少：{'、'.join(missing)}", line))
        if not proj.get("indicators"):
            out.append(Finding("error", label, "没有任何绩效指标"))
    return out


_COMPARED = (("level1", "一级指标"), ("level2", "二级指标"), ("level3", "三级指标"), ("description", "绩效指标描述"),
             ("target_text", "指标值"), ("basis", "指标值确定依据"))


def cross_check(tables: dict[str, Any], text: dict[str, Any], rows: Sequence[dict[str, Any]], limit: int = 5) -> list[Finding]:
    """Disagreements between the table reading (kept) and the text-line reading of the same PDF."""
    out: list[Finding] = []
    by_code = {p["code"]: p for p in text.get("projects") or []}
    for proj in tables.get("projects") or []:
        label = f"项目 {proj['seq']}“{proj['name']}”"
        other = by_code.get(proj["code"])
        if other is None:
            out.append(Finding("warning", label, "文本识别中没有这个项目（按表格结构导入），请核对"))
            continue
        diffs: list[str] = []
        for key, name in (("name", "项目名称"), ("budget", "预算数"), ("fiscal_funds", "财政资金"), ("other_funds", "其他资金")):
            if proj[key] != other[key]:
                diffs.append(f"{name}：表格“{proj[key]}”，文本“{other[key]}”")
        if proj["plan"] != other["plan"]:
            diffs.append("资金支出计划不同")
        a, b = proj["indicators"], other["indicators"]
        if len(a) != len(b):
            diffs.append(f"指标行数：表格 {len(a)} 行，文本 {len(b)} 行")
        for k, (x, y) in enumerate(zip(a, b, strict=False)):
            for key, name in _COMPARED:
                if (x.get(key) or "") != (y.get(key) or ""):
                    where, _ = _row_where(proj, k, x, rows)
                    diffs.append(f"{where}的{name}：表格“{x.get(key) or ''}”，文本“{y.get(key) or ''}”")
        if diffs:
            more = f"；另有 {len(diffs) - limit} 处" if len(diffs) > limit else ""
            out.append(Finding(
                "warning", label,
                f"表格结构识别与文本行识别有 {len(diffs)} 处不一致，已按表格结构导入：" + "；".join(diffs[:limit]) + more,
            ))
    return out

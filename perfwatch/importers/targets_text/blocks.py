"""Stage 2, blocks: fiscal year, project titles and each project table's header block."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from perfwatch.importers.targets_text.cells import _Cells
from perfwatch.importers.targets_text.lines import (
    _BUDGET_LABEL,
    _CJK_CJK_SPACE,
    _GOALS_HEAD,
    _LABEL_PREFIX,
    _LABEL_SKIP,
    _NUMBERED,
    _OTHER_FUNDS,
    _PLAN_LABEL,
    _TITLE_END,
    _TITLE_START,
    _UNIT_LINE,
    LEVEL1_TERMS,
    _fmt_num,
    _is_header_line,
    _join,
    _Line,
    _normalise_name,
    _short,
    _Title,
)
from perfwatch.importers.targets_text.model import TargetsParseError

_PLAN_MONTHS = re.compile(r"(?:\d{1,2}\s*月\s*(?:底|末)?\s*){2,}")
_PLAN_PCTS = re.compile(r"(?:\d+(?:\.\d+)?\s*[%％]\s*){2,}")


class _Blocks(_Cells):

    def detect_fiscal_year(self) -> int:
        compact = re.sub(r"\s+", "", self.text)
        years = Counter(int(y) for y in re.findall(r"(20\d{2})年(?!\d+号)", compact))
        detected: int | None = None
        if years:
            top = max(years.values())
            detected = max(y for y, c in years.items() if c == top)
        if detected is None:
            m = re.search(r"(?<!\d)(20\d{2})(?!\d)", self.source or "")
            detected = int(m.group(1)) if m else None
        if self.fiscal_year_arg is not None:
            if detected is not None and detected != self.fiscal_year_arg:
                self.note("warning", "全文", f"指定的预算年度 {self.fiscal_year_arg} 与文中识别的年度 {detected} 不一致，按指定年度导入")
            return self.fiscal_year_arg
        if detected is None:
            raise TargetsParseError("第 1 行：无法从文本中确定预算年度（如“2024 年”），请指定预算年度（fiscal_year）", 1)
        return detected

    # -- project titles -------------------------------------------------------------------------

    def is_anchor(self, j: int) -> bool:
        if j >= len(self.nb):
            return False
        t = self.nb[j].text
        return bool(_UNIT_LINE.match(t)) or t.startswith("项目编码")

    def find_titles(self) -> list[_Title]:
        titles: list[_Title] = []
        i = 0
        while i < len(self.nb):
            t = self.nb[i].text
            m = _TITLE_START.match(t)
            found: _Title | None = None
            if m:
                for k in range(4):
                    if i + k >= len(self.nb):
                        break
                    nxt = self.nb[i + k].text
                    if k and (_TITLE_START.match(nxt) or nxt.startswith("第二部分") or _UNIT_LINE.match(nxt)):
                        break  # a wrapped title does not run into another numbered line
                    joined = _join([ln.text for ln in self.nb[i: i + k + 1]])
                    if _TITLE_END.search(joined) and self.is_anchor(i + k + 1):
                        body = _TITLE_START.match(joined)
                        assert body is not None
                        found = _Title(i, i + k, int(m.group(1)), body.group(2), self.nb[i].no)
                        break
            elif _TITLE_END.search(t) and self.is_anchor(i + 1):
                found = _Title(i, i, None, t, self.nb[i].no)
            if found:
                titles.append(found)
                i = found.end + 1
            else:
                i += 1
        return titles

    # -- department part ------------------------------------------------------------------------


    def parse_project(self, title: _Title, seg: list[_Line], index: int) -> dict[str, Any]:
        seq = title.seq if title.seq is not None else index
        if title.seq is not None and title.seq != index:
            self.note("warning", f"第 {title.line} 行", f"项目表序号 {title.seq} 与顺序 {index} 不符", title.line)
        title_name = _normalise_name(_TITLE_END.sub("", title.text))
        label = f"项目 {seq}“{_short(title_name, 16)}”"
        unit_code = unit_name = None
        scale = 1.0
        pos = 0
        if seg and (m := _UNIT_LINE.match(seg[0].text)):
            unit_code, unit_name = m.group(1), m.group(2).strip()
            scale = 1.0 if m.group(3) == "万元" else 1 / 10000
            pos = 1
        hdr = next((i for i in range(pos, len(seg)) if _is_header_line(seg[i].text)), None)
        if hdr is None:
            hdr = next((i for i in range(pos, len(seg)) if seg[i].text.split(" ")[0] in LEVEL1_TERMS), None)
        if hdr is None:
            last = seg[-1].no if seg else title.line
            raise TargetsParseError(f"第 {last} 行：{label}的表格不完整：缺少绩效指标（一级指标/二级指标/三级指标）行", last)

        code_parts: list[str] = []
        name_parts: list[str] = []
        fund_lines: list[_Line] = []
        purpose: list[str] = []
        plan_lines: list[_Line] = []
        goal_lines: list[_Line] = []
        state = "start"
        for ln in seg[pos:hdr]:
            t = ln.text
            if t in _LABEL_SKIP:
                continue
            if (lp := _LABEL_PREFIX.match(t)) is not None:
                t = t[lp.end():]
                ln = _Line(ln.no, t, ln.page_start)
            if t.startswith("项目编码"):
                state = "code"
                rest, _, same_line_name = t[4:].partition("项目名称")  # a table row read as one line
                if rest.strip():
                    code_parts.append(rest.strip())
                if same_line_name.strip():
                    state = "name"
                    name_parts.append(same_line_name.strip())
                continue
            if t.startswith("项目名称"):
                state = "name"
                if t[4:].strip():
                    name_parts.append(t[4:].strip())
                continue
            if _BUDGET_LABEL.match(t):
                state = "funds"
                fund_lines.append(ln)
                continue
            if _PLAN_LABEL.match(t):
                state = "plan"
                plan_lines.append(ln)
                continue
            if state != "goals" and (_PLAN_MONTHS.fullmatch(t) or plan_lines and _PLAN_PCTS.fullmatch(t)):
                # a vertically centred "资金支出计划（%）" label comes after its own cells in line order
                plan_lines.append(ln)
                continue
            if (gm := _GOALS_HEAD.match(t)) is not None:
                state = "goals"
                if gm.group(1):
                    goal_lines.append(_Line(ln.no, gm.group(1), ln.page_start))
                continue
            if state == "code":
                if re.fullmatch(r"[0-9A-Za-z]+", t):
                    code_parts.append(t)
                    continue
            elif state == "name":
                name_parts.append(t)
                continue
            elif state == "funds":
                fund_text = " ".join(x.text for x in fund_lines)
                if not _OTHER_FUNDS.search(fund_text):
                    fund_lines.append(ln)
                    continue
                if re.fullmatch(r"\d[\d,]*(?:\.\d+)?", t) and not re.search(_OTHER_FUNDS.pattern + r"\s*[:：]?\s*\d", fund_text):
                    fund_lines.append(ln)
                    continue
                state = "purpose"
                purpose.append(t)
                continue
            elif state == "purpose":
                purpose.append(t)
                continue
            elif state == "plan":
                plan_lines.append(ln)
                continue
            elif state == "goals":
                if self.ignorable(ln):
                    continue
                goal_lines.append(ln)
                continue
            if self.ignorable(ln):
                continue
            self.unplaced(ln, f"{label}表头")

        if not code_parts:
            raise TargetsParseError(f"第 {title.line} 行：{label}的表格不完整：缺少“项目编码”", title.line)
        code = "".join(code_parts)
        name = _normalise_name(_join(name_parts)) if name_parts else title_name
        if not name_parts:
            self.note("warning", label, "表中缺少“项目名称”，按标题取名", title.line)
        elif name != title_name:
            self.note("info", label, f"项目名称“{name}”与表标题“{title_name}”不一致", title.line)
        if not fund_lines:
            raise TargetsParseError(f"第 {title.line} 行：{label}的表格不完整：缺少“预算数”", title.line)
        budget, fiscal, other = self.parse_funds(fund_lines, label)
        plan = self.parse_plan(plan_lines, label, title.line if not plan_lines else plan_lines[0].no, seg[hdr].no)
        goals = self.parse_goals(goal_lines, label)
        if not goal_lines:
            self.note("warning", label, "缺少“绩效目标”", title.line)
        indicators, meta = self.parse_indicators(seg[hdr:], label, seq, name)
        return {
            "seq": seq, "code": code, "name": name, "budget": round(budget * scale, 6),
            "fiscal_funds": round(fiscal * scale, 6), "other_funds": round(other * scale, 6),
            "purpose": _join(purpose), "plan": plan, "goals": goals, "indicators": indicators,
            "_unit_code": unit_code, "_unit_name": unit_name,
            "_meta": {"seq": seq, "name": name, "line": title.line, "label": label, "rows": meta},
        }

    def parse_funds(self, fund_lines: list[_Line], label: str) -> tuple[float, float, float]:
        s = " ".join(ln.text for ln in fund_lines)
        s = _CJK_CJK_SPACE.sub("", s)
        num = r"(\d[\d,]*(?:\.\d+)?)"

        def grab(pattern: str) -> float | None:
            m = re.search(pattern + r"\s*[:：]?\s*" + num, s)
            return float(m.group(1).replace(",", "")) if m else None

        budget = grab(_BUDGET_LABEL.pattern.lstrip("^"))
        if budget is None:
            ln = fund_lines[0]
            raise TargetsParseError(f"第 {ln.no} 行：{label}的“预算数”缺少金额", ln.no)
        fiscal = grab(r"财政(?:资金|拨款)")
        other = grab(_OTHER_FUNDS.pattern)
        if other is None:
            other = 0.0
        if fiscal is None:
            fiscal = budget - other
            self.note("warning", label, f"未找到“其中：财政资金”金额，按预算数减其他资金计为 {_fmt_num(fiscal)}", fund_lines[0].no)
        return budget, fiscal, other

    def parse_plan(self, plan_lines: list[_Line], label: str, line: int, hdr_line: int) -> list[dict[str, Any]]:
        if not plan_lines:
            raise TargetsParseError(f"第 {line} 行：{label}的表格不完整：缺少“资金支出计划（%）”", line)
        text = " ".join(ln.text for ln in plan_lines)
        months: list[int] = []
        for m in re.finditer(r"(?:\d{1,2}\s*[-—~至到]\s*)?(\d{1,2})\s*月|第?([一二三四])季度|(全年)", text):
            if m.group(1):
                months.append(int(m.group(1)))
            elif m.group(2):
                months.append(("一二三四".index(m.group(2)) + 1) * 3)
            else:
                months.append(12)
        text_wo_months = re.sub(r"(?:\d{1,2}\s*[-—~至到]\s*)?\d{1,2}\s*月", " ", text)
        pcts = [float(x) for x in re.findall(r"(\d+(?:\.\d+)?)\s*[%％]", text_wo_months)]
        if not pcts:  # the label says (%), the cells may hold bare numbers
            pcts = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text_wo_months)]
        if not months or len(months) != len(pcts):
            last = plan_lines[-1].no
            raise TargetsParseError(
                f"第 {last} 行：{label}的“资金支出计划”不完整：{len(months)} 个时间节点、{len(pcts)} 个比例", last
            )
        bad = [m for m in months if not 1 <= m <= 12]
        if bad:
            raise TargetsParseError(f"第 {plan_lines[0].no} 行：{label}的资金支出计划月份 {bad[0]} 无效", plan_lines[0].no)
        return [{"month": m, "pct": p} for m, p in zip(months, pcts, strict=False)]

    def parse_goals(self, goal_lines: list[_Line], label: str) -> list[str]:
        goals: list[list[str]] = []
        for ln in goal_lines:
            m = _NUMBERED.match(ln.text)
            if m and int(m.group(1)) == len(goals) + 1:
                goals.append([m.group(2)])
            elif goals:
                goals[-1].append(ln.text)
            else:
                goals.append([ln.text])
        return [_join(g) for g in goals]

    # -- indicator rows -------------------------------------------------------------------------

"""Stage 5, dataset: the whole document into the dataset, then the review (绩效目标审核)."""

from __future__ import annotations

import re
from typing import Any

from perfwatch.importers.targets_text.blocks import _Blocks
from perfwatch.importers.targets_text.lines import _GENERIC_RATE_WORDS, _fmt_num, _short
from perfwatch.importers.targets_text.model import (
    FORMAT,
    Finding,
    ParseResult,
    TargetsParseError,
)
from perfwatch.importers.targets_text.prose import _Prose
from perfwatch.importers.targets_text.values import _CJK


class _Parser(_Blocks, _Prose):

    def run(self) -> ParseResult:
        if not self.nb:
            raise TargetsParseError("第 1 行：输入为空，没有可解析的绩效目标文本", 1)
        first = self.nb[0]
        part1 = next((i for i, ln in enumerate(self.nb) if re.match(r"^第一部分", ln.text)), None)
        has_table_word = any("绩效目标表" in ln.text for ln in self.nb)
        if part1 is None and not has_table_word:
            raise TargetsParseError(
                f"第 {first.no} 行：不是绩效目标文档（未找到“第一部分 部门整体绩效目标”和“绩效目标表”），"
                f"首行内容为“{first.text[:30]}”",
                first.no,
            )
        part2 = next((i for i, ln in enumerate(self.nb) if re.match(r"^第二部分", ln.text)), None)
        titles = self.find_titles()
        if not titles:
            where = next((ln for ln in self.nb if "绩效目标表" in ln.text), self.nb[-1])
            raise TargetsParseError(
                f"第 {where.no} 行：未找到项目绩效目标表（应为“1.××绩效目标表”，其后为预算单位行或“项目编码”）", where.no
            )
        # Neither part heading: a document of project tables only (项目支出绩效目标表).
        projects_only = part1 is None
        # "第二部分" without "第一部分": a document of the project part only (reported below as such)
        head_end = (part2 if part2 is not None and part2 < titles[0].start else titles[0].start) if part1 is None else part1
        for ln in self.nb[:head_end]:
            if not self.ignorable(ln):
                self.unplaced(ln, "正文前的文本", "info")
        if part1 is None:
            part1 = dept_end = titles[0].start
        else:
            dept_end = titles[0].start if part2 is None or part2 > titles[0].start else part2
        if dept_end <= part1 and not projects_only:
            raise TargetsParseError(f"第 {self.nb[part1].no} 行：“第一部分”应位于项目绩效目标表之前", self.nb[part1].no)
        dept_lines = self.nb[part1:dept_end]
        if part2 is not None and part2 < titles[0].start:
            for ln in self.nb[part2 + 1: titles[0].start]:
                if ln.text in ("预算项目绩效目标", "预算项目", "绩效目标", "项目绩效目标", "预算") or self.ignorable(ln):
                    continue
                self.unplaced(ln, "第二部分标题后的文本")

        projects: list[dict[str, Any]] = []
        for k, title in enumerate(titles):
            end = titles[k + 1].start if k + 1 < len(titles) else len(self.nb)
            projects.append(self.parse_project(title, self.nb[title.end + 1: end], k + 1))

        units = [(p.pop("_unit_code"), p.pop("_unit_name")) for p in projects]
        known = [u for u in units if u[0]]
        if not known:
            raise TargetsParseError(
                f"第 {titles[0].line} 行：未找到预算单位行（如“315001 巨鹿县司法局本级 单位：万元”），无法确定单位编码", titles[0].line
            )
        last: tuple[str, str] | None = None
        for p, u in zip(projects, units, strict=False):
            if u[0]:
                last = u
            elif last is None:
                last = known[0]
            p["department_code"] = (u if u[0] else last)[0]
        fiscal_year = self.detect_fiscal_year()
        if projects_only:
            dept: dict[str, Any] = {"overall_goal": "", "safeguards": "", "sub_goals": []}
            self.note(
                "warning", "全文",
                "文档不含“第一部分 部门整体绩效目标”，只导入项目绩效目标；部门总体目标、分项目标和保障措施为空",
                self.nb[titles[0].start].no,
            )
        else:
            dept = self.parse_department(dept_lines)
        departments: list[dict[str, Any]] = []
        seen: set[str] = set()
        for code, name in known:
            if code in seen:
                continue
            seen.add(code)
            if not departments:
                departments.append({"code": code, "name": name, "fiscal_year": fiscal_year, **dept})
            else:
                departments.append(
                    {"code": code, "name": name, "fiscal_year": fiscal_year, "overall_goal": "", "safeguards": "", "sub_goals": []}
                )
                self.note("info", f"单位 {code} {name}", "文档含多个预算单位；部门整体绩效目标归入第一个单位，其余单位仅含项目")
        ordered_projects: list[dict[str, Any]] = []
        for p in projects:
            ordered = {
                "seq": p["seq"], "code": p["code"], "name": p["name"], "department_code": p["department_code"],
                "fiscal_year": fiscal_year, "budget": p["budget"], "fiscal_funds": p["fiscal_funds"],
                "other_funds": p["other_funds"], "purpose": p["purpose"], "plan": p["plan"], "goals": p["goals"],
                "indicators": p["indicators"],
            }
            ordered_projects.append(ordered)
        data = {"format": FORMAT, "source": self.source, "departments": departments, "projects": ordered_projects}
        self.review(data, [p["_meta"] for p in projects])
        if self.ignored_pages or self.ignored_stray:
            parts: list[str] = []
            if self.ignored_pages:
                parts.append(f"页码行 {len(self.ignored_pages)} 行（第 {'、'.join(map(str, sorted(self.ignored_pages)))} 行）")
            if self.ignored_stray:
                parts.append(f"孤立标点行 {len(self.ignored_stray)} 行（第 {'、'.join(map(str, sorted(self.ignored_stray)))} 行）")
            self.note("info", "全文", "已按规则忽略" + "，".join(parts))
        # reading order for the reviewer; document-wide notes last
        self.findings.sort(key=lambda f: (f.line is None, f.line or 0))
        rows = [
            {"project": p["seq"], "index": k, **{key: r.get(key) for key in ("lines", "form", "nature", "where", "source")}}
            for p in projects for k, r in enumerate(p["_meta"]["rows"])
        ]
        return ParseResult(data, self.findings, rows)

    # -- fiscal year ----------------------------------------------------------------------------


    def review(self, data: dict[str, Any], metas: list[dict[str, Any]]) -> None:
        for proj, meta in zip(data["projects"], metas, strict=False):
            label = f"项目 {proj['seq']} {_short(proj['name'])}"
            line = meta["line"]
            total = proj["fiscal_funds"] + proj["other_funds"]
            if abs(total - proj["budget"]) > 0.005:
                self.note(
                    "warning", label,
                    f"财政资金 {_fmt_num(proj['fiscal_funds'])} + 其他资金 {_fmt_num(proj['other_funds'])} = {_fmt_num(total)}，"
                    f"与预算数 {_fmt_num(proj['budget'])} 不一致", line,
                )
            pcts = [cp["pct"] for cp in proj["plan"]]
            months = [cp["month"] for cp in proj["plan"]]
            if any(b < a for a, b in zip(pcts, pcts[1:], strict=False)) or any(b <= a for a, b in zip(months, months[1:], strict=False)):
                self.note("warning", label, f"资金支出计划不是逐期递增的累计比例：{'/'.join(_fmt_num(p) for p in pcts)}", line)
            if pcts and abs(pcts[-1] - 100) > 1e-9:
                self.note("warning", label, f"资金支出计划最后一期为 {_fmt_num(pcts[-1])}%，未达到 100%", line)
            if months and months[-1] != 12:
                self.note("info", label, f"资金支出计划最后节点为 {months[-1]} 月底，不是 12 月底", line)
            groups = {ind["level1"] for ind in proj["indicators"]}
            for needed in ("产出指标", "效益指标", "满意度指标"):
                if needed not in groups:
                    self.note("info", label, f"缺少“{needed}”类指标", line)
            seen_l3: dict[tuple[Any, ...], dict[str, Any]] = {}
            seen_full: set[tuple[Any, ...]] = set()
            for ind, rmeta in zip(proj["indicators"], meta["rows"], strict=False):
                where, iline = rmeta["where"], rmeta["line"]
                self.review_indicator(ind, where, iline, proj)
                full_key = (ind["level2"], ind["level3"], ind["description"], ind["target_text"])
                if full_key in seen_full:
                    self.note("warning", where, "重复的绩效指标（二级、三级指标、描述和指标值均相同）", iline)
                seen_full.add(full_key)
                prev = seen_l3.get(ind["level3"])
                if prev is not None and prev["description"] != ind["description"]:
                    self.note(
                        "warning", where,
                        f"三级指标名称“{ind['level3']}”在本项目中出现两次但描述不同："
                        f"“{prev['description']}”（{prev['level2']}）与“{ind['description']}”（{ind['level2']}）", iline,
                    )
                seen_l3.setdefault(ind["level3"], ind)
        for dept in data["departments"]:
            for sg in dept["sub_goals"]:
                for ind in sg["indicators"]:
                    self.review_indicator(ind, ind.pop("_where"), ind.pop("_line"), None)

    def review_indicator(self, ind: dict[str, Any], where: str, line: int | None, proj: dict[str, Any] | None) -> None:
        if ind["kind"] == "qualitative":
            self.note("warning", where, f"指标“{ind['target_text']}”没有量化目标值（定性指标），年中只能由负责人评判", line)
        if ind["kind"] == "rate" and ind["value"] is not None and ind["value"] > 100:
            self.note("warning", where, f"比率目标 {_fmt_num(ind['value'])}% 超过 100%", line)
        if ind["unit"] == "万元" and not re.search(r"万\s*元", ind["target_text"]) and "万" in ind["target_text"]:
            self.note("info", where, f"指标值“{ind['target_text']}”单位写作“万”，按“万元”理解", line)
        if proj is not None:
            if ind["kind"] == "cost" and ind["value"] is not None:
                cap = ind["value"] / 10000 if ind["unit"] == "元" else ind["value"] * 10000 if ind["unit"] == "亿元" else ind["value"] / 10 if ind["unit"] == "千元" else ind["value"]
                if abs(cap - proj["budget"]) > 0.005:
                    self.note(
                        "warning", where,
                        f"成本指标上限 {_fmt_num(cap)} 万元与项目预算数 {_fmt_num(proj['budget'])} 万元不一致", line,
                    )
            if ind["level2"] == "成本指标" and ind["kind"] != "cost":
                self.note("warning", where, f"成本指标的指标值“{ind['target_text']}”不是金额上限", line)
            contradiction = name_contradiction(ind["level3"], ind["description"])
            if contradiction:
                self.note(
                    "warning", where,
                    f"三级指标名称与描述不符：名称为“{ind['level3']}”，描述却是“{ind['description']}”"
                    f"（{ind['target_text']}）——名称中的“{contradiction[0]}”不在描述中，描述衡量的是“{contradiction[1]}”", line,
                )
        text = (ind["level3"] or "") + (ind["description"] or "")
        if "满意" in text or ind["level2"] == "服务对象满意度指标":
            self.note("info", where, "满意度指标依据问卷调查取得，年中监控时通常尚未调查，应记为“待评”而非未完成", line)



_RATE_WORD = re.compile(rf"[{_CJK}]{{2}}率")


def name_contradiction(level3: str, description: str) -> tuple[str, str] | None:
    """The 三级指标 names one rate (接收率) while the 描述 defines another (再犯罪率)."""
    if level3 == description:
        return None
    m = re.search(rf"([{_CJK}]{{2}}率)$", level3)
    if not m:
        return None
    key = m.group(1)
    words = [w for w in _RATE_WORD.findall(description) if w not in _GENERIC_RATE_WORDS and not w.endswith("比率")]
    words = [w for w in words if w[-2:] not in ("比率", "分率")]
    if not words or key in description or key in words:
        return None
    return key, words[-1]


def parse_targets_text(text: str, source: str = "", fiscal_year: int | None = None) -> ParseResult:
    """Parse the extracted text of a 绩效目标 document.

    Returns the dataset (docs/dataset-format.md) and review findings. Raises TargetsParseError
    (zh-CN, naming the line) for unusable input; nothing partial is returned then.
    """
    return _Parser(text, source, fiscal_year).run()


def review_dataset(data: dict[str, Any]) -> list[Finding]:
    """The 绩效目标审核 findings for a dataset that did not come from text (e.g. the Excel template)."""
    import copy

    data = copy.deepcopy(data)
    reviewer = _Parser("", "", None)
    metas = []
    for proj in data["projects"]:
        label = f"项目 {proj.get('seq', '')} {_short(proj['name'])}"
        metas.append({"line": None, "rows": [
            {"where": f"{label}/{ind.get('level2') or ''}/{ind['level3']}", "line": None}
            for ind in proj.get("indicators") or []
        ]})
        proj.setdefault("fiscal_funds", 0.0)
        proj.setdefault("other_funds", 0.0)
    for dept in data["departments"]:
        for sg in dept.get("sub_goals") or []:
            for ind in sg.get("indicators") or []:
                ind["_where"] = f"分项目标 {sg['seq']} {_short(sg['title'])}"
                ind["_line"] = None
    reviewer.review(data, metas)
    return reviewer.findings

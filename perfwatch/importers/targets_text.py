"""Parse the text of a published 绩效目标 document into a perfwatch targets dataset.

Input is the plain text extracted from the PDF a county department publishes with its budget
(部门预算绩效目标): 第一部分 部门整体绩效目标 (prose) and 第二部分 预算项目绩效目标 (one table per
project). The output is the JSON object described in docs/dataset-format.md plus a list of review
findings (绩效目标审核): things a reviewer should look at, never silent fixes.

PDF extraction breaks table cells over lines, repeats the table header after page breaks, puts page
numbers and stray "。" lines between paragraphs and inserts spaces around digits. The parser works
on the structure of the format (label vocabulary, indicator vocabulary, the target-value pattern
that closes a row) rather than on the line layout of one particular file.
"""

from __future__ import annotations

import calendar
import itertools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

__all__ = [
    "FORMAT",
    "Finding",
    "ParseResult",
    "TargetValue",
    "TargetValueError",
    "TargetsParseError",
    "parse_target_value",
    "parse_targets_text",
    "to_json",
]

FORMAT = "perfwatch-targets/1"


# ---------------------------------------------------------------------------------------------
# Public types
# ---------------------------------------------------------------------------------------------


class TargetsParseError(Exception):
    """The text cannot be turned into a dataset; the message (zh-CN) names the line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class TargetValueError(ValueError):
    """A target value (指标值) that cannot be read, e.g. a comparator followed by a non-number."""


@dataclass(frozen=True)
class TargetValue:
    """One parsed target value, e.g. "≥80%" -> (">=", 80.0, "%", "rate", None)."""

    raw: str
    comparator: str  # ">=", "<=", "=", "deadline", "qualitative"
    value: float | None
    unit: str | None
    kind: str  # count, rate, ceiling, zero, cost, deadline, qualitative
    deadline: str | None  # "MM-DD" for deadline targets


@dataclass(frozen=True)
class Finding:
    """A review note about the document or about how the parser read it."""

    severity: str  # "error" | "warning" | "info"
    where: str
    message: str
    line: int | None = None


@dataclass
class ParseResult:
    data: dict[str, Any]
    findings: list[Finding] = field(default_factory=list)


def to_json(result: ParseResult) -> dict[str, Any]:
    """The dataset plus its findings, as printed by ``import-targets --format json``."""
    out = dict(result.data)
    out["findings"] = [{"severity": f.severity, "where": f.where, "message": f.message} for f in result.findings]
    return out


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------

LEVEL1_TERMS = ("产出指标", "效益指标", "满意度指标", "成本指标")
LEVEL2_TO_LEVEL1 = {
    "数量指标": "产出指标",
    "质量指标": "产出指标",
    "时效指标": "产出指标",
    "成本指标": "产出指标",
    "经济成本指标": "成本指标",
    "社会成本指标": "成本指标",
    "生态环境成本指标": "成本指标",
    "经济效益指标": "效益指标",
    "社会效益指标": "效益指标",
    "生态效益指标": "效益指标",
    "可持续影响指标": "效益指标",
    "服务对象满意度指标": "满意度指标",
}
LEVEL2_TERMS = tuple(LEVEL2_TO_LEVEL1)

# Units a table value may carry (longest first when compiled).
_UNITS = (
    "个工作日", "工作日", "万人次", "万亩", "万人", "万吨", "公顷", "千克", "公斤",
    "人次", "户次", "件次", "场次", "批次", "个月", "小时", "分钟",
    "平方米", "公里", "千米", "亿元", "万元", "千元", "元", "万", "次", "件", "套", "个", "人", "户",
    "家", "所", "项", "台", "场", "期", "篇", "份", "册", "天", "日", "周", "吨", "亩", "辆", "座",
    "张", "本", "批", "例", "条", "处", "名", "位", "分", "类", "种", "支", "村", "床", "起", "宗",
    "只", "头", "株", "棵", "羽", "%", "％", "‰",
)
_MONEY_UNITS = {"万元", "万", "元", "亿元", "千元"}

_GE_WORDS = ("大于等于", "不少于", "不低于", "不小于", "至少", "达到", "超过", "高于", "大于")
_LE_WORDS = ("小于等于", "不超过", "不高于", "不大于", "控制在", "低于", "少于", "小于", "最多")

_QUAL_RE = re.compile(
    r"(?:得到(?:有效|明显|显著|进一步|全面|持续|较大)?|进一步|明显|显著|有效|持续|稳步|不断|逐步|有所|大幅|全面)"
    r"(?:提升|提高|保障|加强|改善|增强|完善|规范|落实|巩固|优化|增加|扩大|降低|减少)"
)
# Whole-cell qualitative values that may stand in a table's 指标值 column.
_QUAL_VALUES = frozenset(
    {
        "好", "较好", "良好", "优", "优秀", "显著", "明显", "达标", "合格", "是", "有效", "有所提高",
        "有所提升", "得到提升", "有效保障", "得到保障", "得到有效保障", "持续提升", "逐步提高",
        "稳步提升", "明显提升", "显著提升", "明显提高", "显著提高", "有效提升", "有效提高",
        "基本达到", "正常运转", "正常运行", "不断提升", "进一步提升", "进一步提高", "稳定运行",
    }
)

# The basis column (指标值确定依据) is open-ended; these endings recognise it when no level token
# marks where the next row starts.
_BASIS_END = re.compile(
    r"(计划|安排|规定|档案|记录|问卷|案卷|卷宗|标准|要求|数据|统计|文件|台账|调查|报告|制度|方案|预算|"
    r"合同|办法|通知|意见|测算|评估|目标|历史|行业|部署|政策|清单|纪要|核查|抽查|验收|检查)$"
)
_GENERIC_RATE_WORDS = ("比率", "百分率", "概率", "频率", "效率", "税率", "利率", "汇率")

# ---------------------------------------------------------------------------------------------
# Small text helpers
# ---------------------------------------------------------------------------------------------

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_DIGIT_SPACE = re.compile(rf"(?<=[{_CJK}])\s+(?=[0-9])|(?<=[0-9])\s+(?=[{_CJK}])")
_CJK_CJK_SPACE = re.compile(rf"(?<=[{_CJK}：:、，（）()])\s+(?=[{_CJK}（(])")


def _width(s: str) -> float:
    """Display width in CJK character units (ASCII counts half)."""
    return sum(1.0 if ord(c) > 0x2E7F else 0.5 for c in s)


def _join(parts: Sequence[str]) -> str:
    """Join fragments of one PDF cell / paragraph: no space, except between two ASCII words."""
    out = ""
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and p[0].isascii() and p[0].isalpha() and out[-1].isalpha():
            out += " " + p
        else:
            out += p
    return out


def _normalise_name(s: str) -> str:
    """Published names have no spaces around digits: "冀财政法 2023 年 49 号" -> "冀财政法2023年49号"."""
    s = _CJK_DIGIT_SPACE.sub("", s)
    return _CJK_CJK_SPACE.sub("", s).strip()


def _short(s: str, n: int = 8) -> str:
    return s if len(s) <= n else s[:4] + "…"


def _fmt_num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


_PAGE_NUMBER = re.compile(r"^[-—–\s]*\d{1,3}[-—–\s]*$|^第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?$|^\d{1,3}\s*/\s*\d{1,3}$")
_STRAY = frozenset({"。", "．", "，", "、", "；"})


# ---------------------------------------------------------------------------------------------
# Target values
# ---------------------------------------------------------------------------------------------

_COMP_SYM = r"(?:[≥≤≧≦]|[><＞＜][=＝]?|[=＝])"
_COMP_WORD = "(?:" + "|".join(sorted(_GE_WORDS + _LE_WORDS, key=len, reverse=True)) + ")"
_UNIT_RE = "(?:" + "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True)) + ")"
_NUM_RE = r"\d+(?:[,，]\d{3})*(?:\s\d{3})*(?:[.．]\d+)?"  # "．": full-width decimal point
_POST_RE = r"(?:及以上|及以下|以上|以下|以内|之内|内)"
_DEADLINE_RE = (
    r"(?:(?:20\d{2}\s*年\s*)?\d{1,2}\s*月\s*(?:\d{1,2}\s*日|底|末)\s*(?:之前|以前|前)?"
    r"|(?:20\d{2}\s*)?年\s*(?:底|末)\s*(?:之前|以前|前)?(?:完成)?|年内完成|年内)"
)
# A target value standing as a whole token in a table line.
_VALUE_TOKEN = re.compile(
    r"(?<!\S)(?:"
    + _DEADLINE_RE
    + r"|(?:" + _COMP_SYM + "|" + _COMP_WORD + r")\s*" + _NUM_RE + r"\s*(?:" + _UNIT_RE + r")?\s*" + _POST_RE + "?"
    + r"|" + _NUM_RE + r"\s*" + _UNIT_RE + r"\s*" + _POST_RE + "?"
    + r")(?!\S)"
)
_GARBLED = re.compile(r"(?:[≥≤≧≦]|[><＞＜][=＝]?)(?![=＝])\s*(?=[^\s\d.．０-９])")
_ENDS_WITH_COMP = re.compile(r"(?:[≥≤≧≦]|[><＞＜][=＝]?|" + _COMP_WORD + r")\s*$")

# In prose (第一部分) the target phrase sits inside a clause.
_PROSE_DEADLINE = re.compile(
    r"(?:(?:20\d{2}\s*年\s*)?\d{1,2}\s*月\s*(?:\d{1,2}\s*日|底|末)|(?:20\d{2}\s*)?年\s*(?:底|末)|年内|上半年|下半年)"
    r"\s*(?:之前|以前|前)?\s*(?:完成)?"
)
_PROSE_NUMBER = re.compile(
    r"(?P<pre>" + _COMP_SYM + "|" + _COMP_WORD + r")?\s*(?P<num>\d+(?:[.．]\d+)?)\s*(?P<unit>" + _UNIT_RE
    + rf"|[{_CJK}]{{1,2}}(?=\s*" + _POST_RE + r"))?\s*(?P<post>" + _POST_RE + ")?"
)


def _canon(text: str) -> str:
    s = unicodedata.normalize("NFKC", text)
    for a, b in ((">=", "≥"), ("<=", "≤"), ("=>", "≥"), ("=<", "≤"), ("≧", "≥"), ("≦", "≤")):
        s = s.replace(a, b)
    s = re.sub(r"\s+", "", s)
    return re.sub(r"(?<=\d),(?=\d{3})", "", s)


def _month_end(month: int, year: int | None) -> int:
    return calendar.monthrange(year or 2001, month)[1]


def _deadline_of(s: str) -> str | None:
    """MM-DD if the canonical text *starts* with a deadline phrase."""
    m = re.match(r"(?:(20\d{2})年)?(\d{1,2})月(\d{1,2})日(?:之前|以前|前|止|内)?", s)
    if m:
        month, day = int(m.group(2)), int(m.group(3))
        year = int(m.group(1)) if m.group(1) else None
        if not 1 <= month <= 12 or not 1 <= day <= _month_end(month, year or 2000):
            raise TargetValueError(f"日期“{s}”无效")
        return f"{month:02d}-{day:02d}"
    m = re.match(r"(?:(20\d{2})年)?(\d{1,2})月(?:底|末|份|内)(?:之前|以前|前)?", s)
    if m:
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise TargetValueError(f"月份“{s}”无效")
        return f"{month:02d}-{_month_end(month, int(m.group(1)) if m.group(1) else None):02d}"
    if re.match(r"(?:20\d{2})?年(?:底|末|内)|(?:本)?年度内|20\d{2}年(?:底|末)|下半年|年内", s):
        return "12-31"
    if s.startswith("上半年"):
        return "06-30"
    m = re.match(r"第?([一二三四1-4])季度(?:末|底)?", s)
    if m:
        q = "一二三四".find(m.group(1)) + 1 if m.group(1) in "一二三四" else int(m.group(1))
        return f"{q * 3:02d}-{_month_end(q * 3, None):02d}"
    return None


def parse_target_value(text: str) -> TargetValue:
    """Read one 指标值: comparator, number, unit, kind and deadline.

    Pure; raises TargetValueError (zh-CN message) for a garbled value such as "≥ 八十%".
    Strict comparators (>, 超过, 低于) are read as >= / <= since the dataset has no strict form.
    """
    raw = re.sub(r"\s+", " ", text).strip()
    if not raw:
        raise TargetValueError("指标值为空")
    s = _canon(raw)
    deadline = _deadline_of(s)
    if deadline is not None:
        return TargetValue(raw, "deadline", None, None, "deadline", deadline)
    words = "|".join(sorted(_GE_WORDS + _LE_WORDS, key=len, reverse=True))
    m = re.match(rf"(?P<pre>{words}|[≥≤><=])?(?P<num>\d+(?:\.\d+)?)", s)
    if m is None:
        if re.match(rf"(?:{words}|[≥≤><=])", s):
            raise TargetValueError(f"指标值“{raw}”无法识别：比较符后应为阿拉伯数字")
        if re.search(r"\d", s) or "%" in s:
            raise TargetValueError(f"指标值“{raw}”无法识别")
        return TargetValue(raw, "qualitative", None, None, "qualitative", None)
    pre = m.group("pre")
    rest = s[m.end():]
    post_m = re.search(r"(及以上|及以下|以上|以下|以内|之内|内)$", rest)
    post = post_m.group(1) if post_m else None
    unit = rest[: post_m.start()] if post_m else rest
    if unit.startswith("个工作日"):
        unit = unit[1:]
    if re.search(r"\d", unit) or len(unit) > 6 or any(c in unit for c in "≥≤<>="):
        raise TargetValueError(f"指标值“{raw}”无法识别：单位“{unit}”不正确")
    if pre in ("≥", ">") or pre in _GE_WORDS:
        comparator = ">="
    elif pre in ("≤", "<") or pre in _LE_WORDS:
        comparator = "<="
    elif post in ("以上", "及以上"):
        comparator = ">="
    elif post in ("以下", "及以下", "以内", "之内", "内"):
        comparator = "<="
    else:
        comparator = "="
    value = float(m.group("num"))
    unit_out: str | None = unit or None
    if unit_out in _MONEY_UNITS and comparator == "<=":
        kind = "cost"
        if unit_out == "万":
            unit_out = "万元"
    elif value == 0 and comparator in ("=", "<="):
        kind = "zero"
    elif unit_out in ("%", "‰"):
        kind = "rate" if comparator in (">=", "=") else "ceiling"
    elif comparator == "<=":
        kind = "ceiling"
    else:
        kind = "count"
    return TargetValue(raw, comparator, value, unit_out, kind, None)


def _find_prose_target(clause: str) -> str | None:
    """The target phrase inside a prose clause: the last number / deadline / qualitative phrase."""
    spans: list[tuple[int, int]] = []
    masked = clause
    for m in _PROSE_DEADLINE.finditer(clause):
        spans.append((m.start(), m.end()))
        masked = masked[: m.start()] + "\x00" * (m.end() - m.start()) + masked[m.end():]
    for m in _PROSE_NUMBER.finditer(masked):
        if not (m.group("pre") or m.group("unit") or m.group("post")):
            continue
        if m.group("unit") is None and not m.group("pre") and masked[m.end(): m.end() + 1] == "年":
            continue
        spans.append((m.start(), m.end()))
    if spans:
        start, end = max(spans, key=lambda se: se[0])
        return clause[start:end].strip()
    tail = re.search(rf"(?<![\d.．])\d+(?:[.．]\d+)?\s*[{_CJK}]{{1,2}}$", masked)
    if tail and not re.fullmatch(rf"\d{{4}}\s*年", tail.group()):  # "… 0起": a count with an unlisted unit
        return clause[tail.start():].strip()
    q = list(_QUAL_RE.finditer(clause))
    if q:
        return q[-1].group()
    return None


# ---------------------------------------------------------------------------------------------
# Lines and items
# ---------------------------------------------------------------------------------------------


@dataclass
class _Line:
    no: int
    text: str
    page_start: bool


@dataclass
class _Item:
    kind: str  # "cell" | "value" | "basis" | "break"
    text: str
    line: int


@dataclass
class _LevelToken:
    kind: str  # "L1" | "L2"
    text: str
    n: int


@dataclass
class _Title:
    start: int  # index into the non-blank line list
    end: int
    seq: int | None
    text: str
    line: int


_UNIT_LINE = re.compile(r"^(\d{3,12})\s*[-—_]?\s*(\S.*?)\s*(?:金额)?单位\s*[:：]\s*(万元|元)\s*$")
_TITLE_END = re.compile(r"绩效目标(?:申报)?表$")
_CN_NUM = "一二三四五六七八九十"
_TITLE_START = re.compile(r"^(\d{1,3})\s*[.．、]\s*(\S.*)$")
_HEADER_START = re.compile(r"^一级指标")
_HEADER_TAIL = frozenset({"指标值确定", "依据", "指标值确定依据", "确定依据", "指标值", "指标值确定依", "据"})
_LABEL_SKIP = frozenset({"预算规模及", "资金用途", "预算规模及资金用途", "预算规模", "及资金用途", "划（%）", "划(%)"})
# The same row-label cell fragments at the start of a line whose other cells follow on that line
# (extractors that put a table row on one line: "预算规模及 预算数 2.00").
_LABEL_PREFIX = re.compile(r"^(?:预算规模及资金用途|预算规模及|预算规模|及资金用途|资金用途)\s+(?=\S)")
_SECTION = re.compile(
    r"^(?:[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十]+[）)])\s*(?:部门)?(?:年度)?"
    r"(总体绩效目标|总体目标|分项绩效目标|分项目标|具体绩效目标|工作保障措施|保障措施|主要保障措施)\s*$"
)
_SUB_HEADING = re.compile(
    r"^(?:(\d{1,2})\s*[、.．]|[（(](\d{1,2})[）)]|[（(]([一二三四五六七八九十]{1,3})[）)]|([一二三四五六七八九十]{1,3})、)\s*(\S.*)$"
)
_NUMBERED = re.compile(r"^(\d{1,2})\s*[、.．]\s*(\S.*)$")
_GOAL_LABEL = re.compile(r"^(?:年度)?(?:绩效)?目标\s*[:：]\s*")
_IND_LABEL = re.compile(r"^(?:年度)?(?:绩效)?指标\s*[:：]\s*")


_BUDGET_LABEL = re.compile(r"^(?:年度)?(?:预算数|预算金额|资金总额)")
_OTHER_FUNDS = re.compile(r"其他(?:来源)?资金")
_PLAN_LABEL = re.compile(r"^(?:资金)?支出(?:进度)?计")
_GOALS_HEAD = re.compile(r"^(?:年度)?(?:绩效)?目标\s*[:：]?\s*(\d.*)?$")


def _cn_number(s: str) -> int:
    """一..九十九 -> int."""
    if s == "十":
        return 10
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_NUM.index(tens) + 1 if tens else 1) * 10 + (_CN_NUM.index(ones) + 1 if ones else 0)
    return _CN_NUM.index(s) + 1


def _is_header_line(t: str) -> bool:
    return bool(_HEADER_START.match(t)) and "二级指标" in t


# ---------------------------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------------------------


class _Parser:
    W3MAX = 6.0  # widest plausible line of the narrow 三级指标 / 依据 columns (CJK chars)

    def __init__(self, text: str, source: str, fiscal_year: int | None) -> None:
        self.text = text
        self.source = source
        self.fiscal_year_arg = fiscal_year
        self.findings: list[Finding] = []
        self.ignored_pages: list[int] = []
        self.ignored_stray: list[int] = []
        raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.lines: list[_Line] = []
        for no, raw in enumerate(raw_lines, 1):
            t = raw.replace("\f", "").replace("\u3000", " ").replace("\ufeff", "").strip()
            # an indented line opens a page in pdftotext output; a leading tab is an empty first cell
            page_start = "\f" in raw or (bool(t) and raw[:1] in (" ", "\u3000"))
            self.lines.append(_Line(no, re.sub(r"[ \t]+", " ", t), page_start))
        self.nb = [ln for ln in self.lines if ln.text]
        self.para_full = 30.0  # typical full line width of the prose part, set per document
        self.table_has_desc = True  # whether the current table has a 绩效指标描述 column

    # -- findings -------------------------------------------------------------------------------

    def note(self, severity: str, where: str, message: str, line: int | None = None) -> None:
        self.findings.append(Finding(severity, where, message, line))

    def unplaced(self, ln: _Line, context: str, severity: str = "warning") -> None:
        self.note(severity, f"第 {ln.no} 行", f"{context}：无法归类的文本“{ln.text[:40]}”，未导入", ln.no)

    def ignorable(self, ln: _Line) -> bool:
        """Page numbers and stray punctuation lines are dropped by rule (and counted)."""
        if ln.text in _STRAY:
            self.ignored_stray.append(ln.no)
            return True
        if _PAGE_NUMBER.match(ln.text):
            self.ignored_pages.append(ln.no)
            return True
        return False

    # -- top level ------------------------------------------------------------------------------

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
        if part1 is None and part2 is not None:
            # "第二部分" without "第一部分": the department part was lost (a cut or truncated file)
            raise TargetsParseError(f"第 {first.no} 行：未找到“第一部分 部门整体绩效目标”，不是完整的绩效目标文档", first.no)
        titles = self.find_titles()
        if not titles:
            where = next((ln for ln in self.nb if "绩效目标表" in ln.text), self.nb[-1])
            raise TargetsParseError(
                f"第 {where.no} 行：未找到项目绩效目标表（应为“1.××绩效目标表”，其后为预算单位行或“项目编码”）", where.no
            )
        # Neither part heading: a document of project tables only (项目支出绩效目标表).
        projects_only = part1 is None
        for ln in self.nb[: titles[0].start if part1 is None else part1]:
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
                if ln.text in ("预算项目绩效目标",) or self.ignorable(ln):
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
        for p, u in zip(projects, units):
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
        return ParseResult(data, self.findings)

    # -- fiscal year ----------------------------------------------------------------------------

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

    def parse_department(self, lines: list[_Line]) -> dict[str, Any]:
        section: str | None = None
        buckets: dict[str, list[_Line]] = {"overall": [], "sub": [], "safe": []}
        for ln in lines[1:] if re.fullmatch(r"第一部分\s*", lines[0].text) else lines:
            t = ln.text
            if re.match(r"^第一部分", t) or t.endswith("部门整体绩效目标") and len(t) <= 30 and section is None:
                continue
            m = _SECTION.match(t)
            if m:
                head = m.group(1)
                section = "overall" if "总体" in head else "safe" if "措施" in head else "sub"
                continue
            if self.ignorable(ln):
                continue
            if section is None:
                self.unplaced(ln, "第一部分")
                continue
            buckets[section].append(ln)

        widths = sorted(_width(ln.text) for ln in lines if _width(ln.text) >= 10)
        full = widths[int(len(widths) * 0.9)] if widths else 30.0
        self.para_full = full

        overall = _join([ln.text for ln in buckets["overall"]])
        sub_goals = self.parse_sub_goals(buckets["sub"], overall)
        overall = sub_goals.pop("_overall")
        if not overall:
            self.note("warning", "部门整体绩效目标", "总体绩效目标为空")
        safeguards = self.parse_safeguards(buckets["safe"])
        return {"overall_goal": overall, "safeguards": safeguards, "sub_goals": sub_goals["list"]}

    def paragraphs(self, lines: list[_Line], starts: Callable[[str], bool]) -> list[list[_Line]]:
        """Group wrapped lines into paragraphs: a short line closes a paragraph; labels open one."""
        paras: list[list[_Line]] = []
        closed = True
        for ln in lines:
            t = ln.text
            cont = bool(paras) and t[0] in "，,。、；;：:）)”』」%"
            if not cont and (closed or starts(t)):
                paras.append([ln])
            else:
                paras[-1].append(ln)
            closed = _width(t) < 0.8 * self.para_full
        return paras

    def parse_sub_goals(self, lines: list[_Line], overall: str) -> dict[str, Any]:
        def starts(t: str) -> bool:
            return bool(_GOAL_LABEL.match(t) or _IND_LABEL.match(t) or self._sub_heading(t))

        subs: list[dict[str, Any]] = []
        orphans: list[tuple[str, int, int]] = []  # (text, line, index of sub-goal it sits under)
        unlabelled: list[tuple[str, list[_Line]]] = []
        for para in self.paragraphs(lines, starts):
            first = para[0]
            head = self._sub_heading(first.text) if len(para) == 1 else None
            if head:
                seq, title = head
                if seq != len(subs) + 1:
                    self.note("warning", f"第 {first.no} 行", f"分项目标序号 {seq} 与预期 {len(subs) + 1} 不符", first.no)
                subs.append({"seq": len(subs) + 1, "title": title, "goal": "", "ind": None, "line": first.no})
                continue
            text = _join([ln.text for ln in para])
            if (m := _GOAL_LABEL.match(text)) is not None:
                if not subs:
                    self.unplaced(first, "分项绩效目标（尚无分项目标标题）")
                    continue
                goal = text[m.end():]
                if subs[-1]["goal"]:
                    self.note("warning", f"第 {first.no} 行", f"分项目标 {subs[-1]['seq']} 出现第二段“绩效目标”，已接在前一段之后", first.no)
                    subs[-1]["goal"] += goal
                else:
                    subs[-1]["goal"] = goal
            elif (m := _IND_LABEL.match(text)) is not None:
                if not subs:
                    self.unplaced(first, "分项绩效目标（尚无分项目标标题）")
                    continue
                self.check_garbled(para)
                body = (text[m.end():], para, m.end())
                if subs[-1]["ind"] is None:
                    subs[-1]["ind"] = body
                else:
                    orphans.append((text, first.no, len(subs) - 1))
                    subs[-1].setdefault("_orphans", []).append(body)
            else:
                unlabelled.append((text, para))

        # A second 绩效指标 paragraph under one sub-goal: decide by content where it belongs.
        for k, sg in enumerate(subs):
            for body in sg.pop("_orphans", []):
                text, para, _ = body
                nxt = subs[k + 1] if k + 1 < len(subs) else None
                here = _similarity(text, sg["title"] + sg["goal"])
                there = _similarity(text, nxt["title"] + nxt["goal"]) if nxt else -1.0
                line = para[0].no
                if nxt is not None and (nxt["ind"] is None or there > here):
                    if nxt["ind"] is None:
                        nxt["ind"] = body
                    else:
                        nxt.setdefault("_extra", []).append(body)
                    self.note(
                        "info", f"第 {line} 行",
                        f"此“绩效指标”段位于分项目标 {sg['seq']} 之下，但按内容归入分项目标 {nxt['seq']}"
                        f"“{nxt['title']}”（原文分页错位）", line,
                    )
                else:
                    sg.setdefault("_extra", []).append(body)
                    self.note("info", f"第 {line} 行", f"分项目标 {sg['seq']} 有第二段“绩效指标”，已并入该分项目标", line)

        for text, para in unlabelled:
            if not overall and len(text) >= 40:
                overall = text
                self.note(
                    "info", f"第 {para[0].no} 行",
                    "总体绩效目标为空；分项目标中的这段未标注文字按内容判定为总体绩效目标", para[0].no,
                )
            else:
                for ln in para:
                    self.unplaced(ln, "分项绩效目标")

        out = []
        for sg in subs:
            indicators: list[dict[str, Any]] = []
            bodies = ([sg["ind"]] if sg["ind"] else []) + sg.get("_extra", [])
            for body in bodies:
                indicators.extend(self.parse_clauses(body, sg))
            if not sg["goal"]:
                self.note("warning", f"分项目标 {sg['seq']} {_short(sg['title'])}", "缺少“绩效目标”", sg["line"])
            if not indicators:
                self.note("warning", f"分项目标 {sg['seq']} {_short(sg['title'])}", "缺少“绩效指标”", sg["line"])
            out.append({"seq": sg["seq"], "title": sg["title"], "goal": sg["goal"], "indicators": indicators})
        return {"list": out, "_overall": overall}

    @staticmethod
    def _sub_heading(t: str) -> tuple[int, str] | None:
        m = _SUB_HEADING.match(t)
        if not m or _width(t) > 30 or "：" in t or ":" in t or t.endswith(("。", "；", "，")):
            return None
        digits = m.group(1) or m.group(2)
        return (int(digits) if digits else _cn_number(m.group(3) or m.group(4))), m.group(5).strip()

    def check_garbled(self, lines: Sequence[_Line]) -> None:
        for ln in lines:
            m = _GARBLED.search(ln.text)
            if m:
                frag = ln.text[m.start(): m.start() + 8]
                raise TargetsParseError(f"第 {ln.no} 行：指标值“{frag}”无法识别：比较符后应为阿拉伯数字", ln.no)

    def parse_clauses(self, body: tuple[str, list[_Line], int], sg: dict[str, Any]) -> list[dict[str, Any]]:
        text, para, offset = body
        # map character offsets of the joined paragraph back to source lines
        starts: list[tuple[int, int]] = []
        pos = 0
        for ln in para:
            starts.append((pos, ln.no))
            pos += len(_join([ln.text]))

        def line_at(index: int) -> int:
            no = para[0].no
            for p, n in starts:
                if p <= index + offset:
                    no = n
            return no

        out = []
        search_from = 0
        for clause in _split_clauses(text):
            idx = text.find(clause, search_from)
            search_from = max(search_from, idx)
            line = line_at(max(idx, 0))
            target = _find_prose_target(clause)
            where = f"分项目标 {sg['seq']} {_short(sg['title'])}/{clause if len(clause) <= 16 else clause[:15] + '…'}"
            try:
                tv = parse_target_value(target if target else clause)
            except TargetValueError:
                if target:
                    raise TargetsParseError(f"第 {line} 行：指标“{clause}”的目标值“{target}”无法识别", line) from None
                tv = TargetValue(clause, "qualitative", None, None, "qualitative", None)
            out.append(
                {
                    "level1": None, "level2": None, "level3": clause, "description": clause,
                    "target_text": target if target else clause, "comparator": tv.comparator, "value": tv.value,
                    "unit": tv.unit, "deadline": tv.deadline, "kind": tv.kind, "basis": None,
                    "_where": where, "_line": line,
                }
            )
        return out

    def parse_safeguards(self, lines: list[_Line]) -> str:
        items: list[list[str]] = []
        for ln in lines:
            if _NUMBERED.match(ln.text) or not items:
                items.append([ln.text])
            else:
                items[-1].append(ln.text)
        return "\n".join(_join(it) for it in items)

    # -- project tables -------------------------------------------------------------------------

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
                if t[4:].strip():
                    code_parts.append(t[4:].strip())
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
        return [{"month": m, "pct": p} for m, p in zip(months, pcts)]

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

    def tokenise(self, lines: list[_Line], label: str) -> list[_Item]:
        items: list[_Item] = []
        seen_header = False
        self.table_has_desc = True
        i = 0
        n = len(lines)
        while i < n:
            ln = lines[i]
            t = ln.text
            if _is_header_line(t):
                i += 1
                tail = None if "确定依据" in t else ""
                while tail is not None and i < n and lines[i].text in _HEADER_TAIL and (tail + lines[i].text) in "指标值确定依据":
                    tail += lines[i].text
                    i += 1
                    if tail.endswith("依据"):
                        break
                if seen_header and items and items[-1].kind != "break":
                    items.append(_Item("break", "", ln.no))
                if not seen_header:
                    self.table_has_desc = "描述" in t
                seen_header = True
                continue
            if self.ignorable(ln):
                i += 1
                continue
            if ln.page_start and items and items[-1].kind != "break":
                items.append(_Item("break", "", ln.no))
            used = [ln]
            while i + 1 < n and self.should_merge(t, lines[i + 1].text):
                i += 1
                t = t + lines[i].text if not _ENDS_WITH_COMP.search(t) else t + " " + lines[i].text
                used.append(lines[i])
            self.check_garbled(used)
            self.check_garbled([_Line(used[-1].no, t, False)])
            items.extend(self.line_items(t, ln.no))
            i += 1
        return items

    @staticmethod
    def should_merge(cur: str, nxt: str) -> bool:
        if not nxt or " " in nxt or _is_header_line(nxt):
            return False
        if _ENDS_WITH_COMP.search(cur) and re.match(r"\d", nxt):
            return True
        if len(nxt) > 4:
            return False
        joined = list(_VALUE_TOKEN.finditer(cur + nxt))
        return bool(joined) and joined[-1].end() > len(cur)

    @staticmethod
    def line_items(t: str, no: int) -> list[_Item]:
        matches = list(_VALUE_TOKEN.finditer(t))
        out: list[_Item] = []
        if matches:
            m = matches[-1]
            pre, val, post = t[: m.start()], m.group().strip(), t[m.end():].strip()
            cells = _split_cells(pre)
        else:
            cells = _split_cells(t)
            val, post = None, ""
            for k in range(len(cells) - 1, 0, -1):
                if cells[k] in _QUAL_VALUES:
                    val, post = cells[k], " ".join(cells[k + 1:])
                    cells = cells[:k]
                    break
        out.extend(_Item("cell", c, no) for c in cells)
        if val is not None:
            out.append(_Item("value", val, no))
        if post:
            out.append(_Item("basis", post, no))
        return out

    def parse_indicators(
        self, lines: list[_Line], label: str, seq: int, name: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        items = self.tokenise(lines, label)
        values = [i for i, it in enumerate(items) if it.kind == "value"]
        if not values:
            last = lines[-1].no
            raise TargetsParseError(f"第 {last} 行：{label}的绩效指标表不完整：没有任何带指标值的指标行", last)
        rows: list[dict[str, Any]] = []
        start = 0
        for k, vi in enumerate(values):
            chunk = items[start:vi]
            if k == 0:
                s = _row_start(chunk)
                lead, row_items = (chunk[:s], chunk[s:]) if s is not None else ([], chunk)
                for it in lead:
                    if it.kind != "break":
                        self.note("warning", f"第 {it.line} 行", f"{label}：指标表开头无法归类的文本“{it.text}”，未导入", it.line)
            else:
                tail, row_items = self.split_chunk(chunk, rows[-1])
                rows[-1]["tail"].extend(tail)
            row = {"items": row_items, "value": items[vi], "basis": [], "tail": []}
            j = vi + 1
            if j < len(items) and items[j].kind == "basis":
                row["basis"].append(items[j])
                j += 1
            rows.append(row)
            start = j
        trailing = items[start:]
        s = _row_start(trailing)
        if s is not None:  # a row starts after the last value: its value is missing
            it = trailing[s]
            raise TargetsParseError(
                f"第 {it.line} 行：{label}的指标行“{it.text}”缺少指标值（表格可能被截断）", it.line
            )
        for it in trailing:
            if it.kind == "cell" and _width(it.text) > 10:  # wider than the 依据 column: not part of the table
                self.note("warning", f"第 {it.line} 行", f"{label}：表格之后无法归类的文本“{it.text[:40]}”，未导入", it.line)
            else:
                rows[-1]["tail"].append(it)

        indicators: list[dict[str, Any]] = []
        meta: list[dict[str, Any]] = []
        cur1: str | None = None
        cur2: str | None = None
        for row in rows:
            ind, info = self.build_row(row, label, seq, name, cur1, cur2)
            cur1, cur2 = ind["level1"], ind["level2"]
            indicators.append(ind)
            meta.append(info)
        return indicators, meta

    def split_chunk(self, chunk: list[_Item], prev: dict[str, Any]) -> tuple[list[_Item], list[_Item]]:
        """Split the items between two values into the previous row's tail and the next row."""
        s = _row_start(chunk)
        if s is not None:
            return chunk[:s], chunk[s:]
        cells = [i for i, it in enumerate(chunk) if it.kind == "cell"]
        basis_so_far = _join([it.text for it in prev["basis"]])
        if basis_so_far and _BASIS_END.search(basis_so_far):
            return [], chunk
        for k in range(1, len(cells) - 1):
            frags = [chunk[i].text for i in cells[:k]]
            if all(_width(f) <= self.W3MAX + 1 for f in frags) and _BASIS_END.search(basis_so_far + _join(frags)):
                cut = cells[k - 1] + 1
                while cut < len(chunk) and chunk[cut].kind == "break":
                    cut += 1
                return chunk[:cut], chunk[cut:]
        return [], chunk

    def build_row(
        self, row: dict[str, Any], label: str, seq: int, name: str, cur1: str | None, cur2: str | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        items: list[_Item] = row["items"]
        value: _Item = row["value"]
        i = 0
        level1 = level2 = None
        partial = False
        tok = _level_token_at(items, i)
        if tok and tok.kind == "L1":
            level1, i = tok.text, i + tok.n
            tok = _level_token_at(items, i)
        if tok and tok.kind == "L2":
            level2, i = tok.text, i + tok.n
        elif level1 and i < len(items) and items[i].kind == "cell" and _l2_prefix(items[i].text):
            level2, partial, i = items[i].text, True, i + 1
        pre = _segments(items[i:])
        basis_items = list(row["basis"])
        tail: list[_Item] = row["tail"]
        first_break = next((k for k, it in enumerate(tail) if it.kind == "break"), len(tail))
        basis_items += [it for it in tail[:first_break] if it.kind != "break"]
        post = _segments(tail[first_break:])
        continued = [it.line for seg in post for it in seg]

        # complete a level-2 name broken by a page break
        if partial:
            for seg in pre[1:] + post:
                if seg and seg[0].kind == "cell" and _l2_prefix(level2 + seg[0].text, allow_full=True):
                    level2 += seg.pop(0).text
                    if level2 in LEVEL2_TO_LEVEL1:
                        break
        pre = [s for s in pre if s]
        post = [s for s in post if s]
        if self.table_has_desc:
            l3f, descf, extra_basis = _assign_columns(pre, post, self.W3MAX)
        else:  # template without a 绩效指标描述 column
            l3f, descf = [it for seg in pre for it in seg], []
            extra_basis = [it for seg in post for it in seg]
        basis_items += extra_basis
        level3 = _join([it.text for it in l3f])
        description = _join([it.text for it in descf])
        first_line = items[0].line if items else value.line
        where_l2 = level2 or "?"
        if not level3:
            raise TargetsParseError(f"第 {value.line} 行：{label}的指标行缺少三级指标（指标值“{value.text}”）", value.line)
        if not description and not self.table_has_desc:
            description = level3
        elif not description:
            description = level3
            self.note("warning", f"项目 {seq} {_short(name)}/{where_l2}/{level3}", "绩效指标描述为空，按三级指标名称填写", first_line)

        if level2 is not None and level2 not in LEVEL2_TO_LEVEL1:
            full = [t for t in LEVEL2_TERMS if t.startswith(level2)]
            if len(full) == 1:
                self.note("warning", f"第 {first_line} 行", f"{label}：二级指标“{level2}”不完整，按指标体系补全为“{full[0]}”", first_line)
                level2 = full[0]
            else:
                self.note("warning", f"第 {first_line} 行", f"{label}：二级指标“{level2}”不在指标体系中", first_line)
        if level2 is None:
            level2 = cur2
            if level2 is None:
                self.note("warning", f"第 {first_line} 行", f"{label}：指标“{level3}”缺少二级指标", first_line)
        implied = LEVEL2_TO_LEVEL1.get(level2 or "")
        if level1 is None:
            level1 = implied or cur1
        elif implied and implied != level1 and not (level1 == "成本指标" and implied == "产出指标"):
            self.note("warning", f"第 {first_line} 行", f"{label}：二级指标“{level2}”通常属于“{implied}”，表中为“{level1}”", first_line)
        if level1 is None:
            self.note("warning", f"第 {first_line} 行", f"{label}：指标“{level3}”缺少一级指标", first_line)
        where = f"项目 {seq} {_short(name)}/{level2}/{level3}"
        if continued:
            self.note(
                "info", where,
                f"该指标行跨页，分页表头之后的续行（第 {'、'.join(map(str, sorted(set(continued))))} 行）已并入该行",
                value.line,
            )
        try:
            tv = parse_target_value(value.text)
        except TargetValueError as exc:
            raise TargetsParseError(f"第 {value.line} 行：{label}的指标“{level3}”：{exc}", value.line) from None
        basis = _join([it.text for it in basis_items]) or None
        ind = {
            "level1": level1, "level2": level2, "level3": level3, "description": description,
            "target_text": value.text, "comparator": tv.comparator, "value": tv.value, "unit": tv.unit,
            "deadline": tv.deadline, "kind": tv.kind, "basis": basis,
        }
        return ind, {"where": where, "line": value.line, "first_line": first_line}

    # -- review (绩效目标审核) --------------------------------------------------------------------

    def review(self, data: dict[str, Any], metas: list[dict[str, Any]]) -> None:
        for proj, meta in zip(data["projects"], metas):
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
            if any(b < a for a, b in zip(pcts, pcts[1:])) or any(b <= a for a, b in zip(months, months[1:])):
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
            for ind, rmeta in zip(proj["indicators"], meta["rows"]):
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
            contradiction = _name_contradiction(ind["level3"], ind["description"])
            if contradiction:
                self.note(
                    "warning", where,
                    f"三级指标名称与描述不符：名称为“{ind['level3']}”，描述却是“{ind['description']}”"
                    f"（{ind['target_text']}）——名称中的“{contradiction[0]}”不在描述中，描述衡量的是“{contradiction[1]}”", line,
                )
        text = (ind["level3"] or "") + (ind["description"] or "")
        if "满意" in text or ind["level2"] == "服务对象满意度指标":
            self.note("info", where, "满意度指标依据问卷调查取得，年中监控时通常尚未调查，应记为“待评”而非未完成", line)


# ---------------------------------------------------------------------------------------------
# Module-level helpers for rows and clauses
# ---------------------------------------------------------------------------------------------


def _split_cells(pre: str) -> list[str]:
    """Split a table line into cells on spaces, but keep "冀财政法 2023 年" together."""
    pieces = pre.split()
    cells: list[str] = []
    for p in pieces:
        if cells:
            a, b = cells[-1], p
            artefact = (a[-1].isascii() and a[-1].isalnum()) or (b[0].isascii() and b[0].isalnum())
            if artefact and a not in LEVEL1_TERMS and a not in LEVEL2_TO_LEVEL1:
                cells[-1] = a + " " + b
                continue
        cells.append(p)
    return cells


def _level_token_at(items: Sequence[_Item], i: int) -> _LevelToken | None:
    """An exact level-1 / level-2 term formed by 1-3 consecutive cells starting at i."""
    text = ""
    for n in range(1, 4):
        if i + n - 1 >= len(items) or items[i + n - 1].kind != "cell":
            return None
        text += items[i + n - 1].text
        if text == "成本指标":
            nxt = _level_token_at(items, i + n) if i + n < len(items) else None
            if nxt is not None and nxt.kind == "L2" and LEVEL2_TO_LEVEL1.get(nxt.text) == "成本指标":
                return _LevelToken("L1", text, n)
            return _LevelToken("L2", text, n)
        if text in LEVEL1_TERMS:
            return _LevelToken("L1", text, n)
        if text in LEVEL2_TO_LEVEL1:
            return _LevelToken("L2", text, n)
        if not any(t.startswith(text) for t in LEVEL1_TERMS + LEVEL2_TERMS):
            return None
    return None


def _l2_prefix(text: str, allow_full: bool = False) -> bool:
    if allow_full and text in LEVEL2_TO_LEVEL1:
        return True
    return _width(text) >= 3 and any(t.startswith(text) and t != text for t in LEVEL2_TERMS)


def _row_start(chunk: Sequence[_Item]) -> int | None:
    for s, it in enumerate(chunk):
        if it.kind == "cell" and _level_token_at(chunk, s) is not None:
            return s
    return None


def _segments(items: Sequence[_Item]) -> list[list[_Item]]:
    segs: list[list[_Item]] = [[]]
    for it in items:
        if it.kind == "break":
            segs.append([])
        elif it.kind in ("cell", "basis"):
            segs[-1].append(it)
    return segs


def _assign_columns(
    pre: list[list[_Item]], post: list[list[_Item]], w3max: float
) -> tuple[list[_Item], list[_Item], list[_Item]]:
    """Choose which fragments are 三级指标, which 描述 (and, after the value, which 依据).

    Cells wrap in parallel columns, so each page segment is [三级… 描述…] before the value and
    [三级… 描述… 依据…] for the continuation after a page break. Prefer a split where the joined
    三级指标 equals the 描述 (the common case); otherwise the 三级指标 column is narrow (≤ w3max).
    """
    pre_opts = [range(len(seg) + 1) for seg in pre]
    post_opts = [[(a, b) for a in range(len(seg) + 1) for b in range(a, len(seg) + 1)] for seg in post]
    total = 1
    for o in pre_opts:
        total *= len(o)
    for o2 in post_opts:
        total *= len(o2)
    if total > 20000:  # pathological: treat everything before the value as one segment
        pre = [[it for seg in pre for it in seg]]
        pre_opts = [range(len(pre[0]) + 1)]
        post_opts = [[(0, 0)] for _ in post]
    best: tuple[float, list[_Item], list[_Item], list[_Item]] | None = None
    for combo in itertools.product(*pre_opts, *post_opts):
        l3: list[_Item] = []
        desc: list[_Item] = []
        extra: list[_Item] = []
        moved = 0
        late = 0.0
        for n_seg, (seg, j) in enumerate(zip(pre, combo[: len(pre)])):
            if n_seg and j:
                # a later page segment continues the 三级指标 column only if it was cut at a full line
                late += 1.0 if l3 and _width(l3[-1].text) >= w3max - 1.5 else -2.0 * j
            l3 += seg[:j]
            desc += seg[j:]
        for seg, ab in zip(post, combo[len(pre):]):
            a, b = ab  # type: ignore[misc]
            l3 += seg[:a]
            desc += seg[a:b]
            extra += seg[b:]
            moved += b
        if not l3:
            continue
        l3_text = _join([it.text for it in l3])
        desc_text = _join([it.text for it in desc])
        score = float(len(l3)) + late
        if desc and l3_text == desc_text:
            score += 1000
        if not desc:
            score -= 500
        score -= 100 * sum(1 for it in l3 if _width(it.text) > w3max)
        score -= 5 * moved
        # the 描述 column is wide: a narrow line followed by more 描述 on the same page is unlikely
        for seg, j in zip(pre, combo[: len(pre)]):
            body = seg[j:]
            score -= 3 * sum(1 for it in body[:-1] if _width(it.text) <= w3max - 2)
        if best is None or score > best[0]:
            best = (score, l3, desc, extra)
    if best is None:
        return [], [], [it for seg in post for it in seg]
    return best[1], best[2], best[3]


def _split_clauses(text: str) -> list[str]:
    """Split a 绩效指标 paragraph into indicator clauses.

    Split on ；; 。 first; then on ，, only where both sides carry a target (number, deadline or
    qualitative phrase) — a fragment without one is merged into its neighbour.
    """
    out: list[str] = []
    for part in re.split(r"[；;。]", text):
        part = part.strip(" ，,")
        if not part:
            continue
        pieces = re.split(r"([，,])", part)
        merged: list[str] = []
        pending = ""
        k = 0
        while k < len(pieces):
            piece = pieces[k].strip()
            sep = pieces[k + 1] if k + 1 < len(pieces) else "，"
            k += 2
            if not piece:
                continue
            cur = pending + piece
            if _find_prose_target(piece) is not None:
                merged.append(cur)
                pending = ""
            else:
                pending = cur + sep
        if pending:
            pending = pending.rstrip("，,")
            if merged:
                merged[-1] = merged[-1] + "，" + pending
            else:
                merged.append(pending)
        out.extend(m.strip() for m in merged)
    return out


def _bigrams(s: str) -> set[str]:
    s = re.sub(rf"[^{_CJK}]", "", s)
    return {s[i: i + 2] for i in range(len(s) - 1)}


def _similarity(a: str, b: str) -> float:
    ba, bb = _bigrams(a), _bigrams(b)
    return len(ba & bb) / len(bb) if bb else 0.0


_RATE_WORD = re.compile(rf"[{_CJK}]{{2}}率")


def _name_contradiction(level3: str, description: str) -> tuple[str, str] | None:
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

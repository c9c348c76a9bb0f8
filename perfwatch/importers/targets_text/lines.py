"""Stage 1, lines: vocabulary, text helpers, the line/item records and the line reader base."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from perfwatch.importers.targets_text.model import Finding, TargetsParseError
from perfwatch.importers.targets_text.values import _CJK, _GARBLED

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

# Whole-cell qualitative values that may stand in a table's 指标值 column.
_QUAL_VALUES = frozenset(
    {
        "好", "较好", "良好", "优", "优秀", "显著", "明显", "达标", "合格", "是", "有效", "有所提高",
        "有所提升", "得到提升", "有效保障", "得到保障", "得到有效保障", "持续提升", "逐步提高",
        "稳步提升", "明显提升", "显著提升", "明显提高", "显著提高", "有效提升", "有效提高",
        "基本达到", "正常运转", "正常运行", "不断提升", "进一步提升", "进一步提高", "稳定运行",
        "按时完成", "按期完成", "如期完成", "及时完成", "全部完成", "足额发放", "按时发放", "及时发放",
        "及时", "按时", "按期", "全覆盖", "应保尽保", "长期", "长期有效", "持续有效",
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



class _LineReader:
    """Splits the text into numbered lines and collects findings; the stages below extend it."""

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

    def check_garbled(self, lines: Sequence[_Line]) -> None:
        for ln in lines:
            m = _GARBLED.search(ln.text)
            if m:
                frag = ln.text[m.start(): m.start() + 8]
                raise TargetsParseError(f"第 {ln.no} 行：指标值“{frag}”无法识别：比较符后应为阿拉伯数字", ln.no)


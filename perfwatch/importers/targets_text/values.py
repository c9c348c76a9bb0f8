"""Stage 4, values: reading one 指标值 (comparator, number, unit, kind, deadline)."""

from __future__ import annotations

import calendar
import re
import unicodedata

from perfwatch.importers.targets_text.model import TargetValue, TargetValueError

_CJK = r"\u3400-\u9fff\uf900-\ufaff"

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

# ---------------------------------------------------------------------------------------------
# Target values
# ---------------------------------------------------------------------------------------------

_COMP_SYM = r"(?:[≥≤≧≦]|[><＞＜][=＝]?|[=＝])"
_COMP_WORD = "(?:" + "|".join(sorted(_GE_WORDS + _LE_WORDS, key=len, reverse=True)) + ")"
_UNIT_RE = "(?:" + "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True)) + ")"
_NUM_RE = r"\d+(?:[,，]\d{3})*(?:\s\d{3})*(?:[.．]\d+)?"  # "．": full-width decimal point
_POST_RE = r"(?:及以上|及以下|以上|以下|以内|之内|内)"
_DEADLINE_RE = (
    r"(?:(?:20\d{2}\s*年\s*)?\d{1,2}\s*月\s*(?:\d{1,2}\s*日|底|末)\s*(?:之前|以前|前)?(?:\s*完\s*成)?"
    r"|(?:20\d{2}\s*)?年\s*(?:底|末)\s*(?:之前|以前|前)?(?:完成)?|年内完成|年内)"
)
# Periodic targets: "每月 10 日前" (a recurring deadline), "每季度 1 次" (a count per period).
_PERIOD_RE = r"每\s*(?:个)?\s*(?:月|季度|季|半年|年|周|星期)"
_RECURRING_RE = (
    _PERIOD_RE + r"\s*(?:\d{1,2}\s*日\s*(?:之前|以前|前)?|(?:至少|不少于)?\s*\d+\s*(?:次|场|期|批次|篇|份)\s*(?:及以上|以上)?)"
)
# "零投诉", "零事故": a zero target written as a word.
ZERO_WORDS = ("投诉", "事故", "差错", "失误", "伤亡", "上访", "违规", "违纪", "发生", "案件", "通报", "缺陷", "死亡")
_ZERO_RE = "零(?:" + "|".join(ZERO_WORDS) + ")"
# A target value standing as a whole token in a table line.
_VALUE_TOKEN = re.compile(
    r"(?<!\S)(?:"
    + _DEADLINE_RE
    + "|" + _RECURRING_RE
    + "|" + _ZERO_RE
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
    if tail and not re.fullmatch(r"\d{4}\s*年", tail.group()):  # "… 0起": a count with an unlisted unit
        return clause[tail.start():].strip()
    q = list(_QUAL_RE.finditer(clause))
    if q:
        return q[-1].group()
    return None


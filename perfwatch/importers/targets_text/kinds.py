"""What a 指标值 is: its form (count, rate, recurring deadline, …) and the indicator's nature.

``classify_value`` never raises: every 指标值 is kept verbatim and gets a form; a value the parser
cannot read has the form ``unknown`` (imported as a qualitative target, with a finding asking a
person to check it), so whether a value parses never decides where a row ends.

``guess_nature`` is the plain function the domain layer uses to prefill an indicator's nature
(flow / stock / one-off / scheduled); it is a guess to be confirmed, ``None`` when unsure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from perfwatch.importers.targets_text.lines import _QUAL_VALUES
from perfwatch.importers.targets_text.model import TargetValue, TargetValueError
from perfwatch.importers.targets_text.values import (
    _QUAL_RE,
    ZERO_WORDS,
    _canon,
    parse_target_value,
)

# form -> Chinese label (shown in findings and the preview)
VALUE_FORMS: dict[str, str] = {
    "count": "数量",
    "rate": "比率",
    "ceiling": "上限",
    "zero": "零目标",
    "cost": "成本",
    "deadline": "期限",
    "recurring_deadline": "周期期限",
    "recurring_count": "周期次数",
    "qualitative": "定性",
    "unknown": "无法识别",
}
# periods per year for recurring targets
PERIODS: dict[str, int] = {"月": 12, "个月": 12, "季度": 4, "季": 4, "半年": 2, "年": 1, "周": 52, "星期": 52}

_RECUR_DAY = re.compile(r"^每(个月|月|季度|季|半年|年|周|星期)(\d{1,2})日(?:之前|以前|前)?$")
_RECUR_COUNT = re.compile(r"^每(个月|月|季度|季|半年|年|周|星期)(至少|不少于)?(\d+)(次|场|期|批次|篇|份)(及以上|以上)?$")
_ZERO = re.compile("^零(" + "|".join(ZERO_WORDS) + ")$")
_QUAL_WORD = re.compile(
    r"长期|提升|提高|改善|保障|完成|达标|合格|满意|良好|较好|稳定|规范|优化|增强|加强|落实|到位|正常|显著|明显|有效|及时|覆盖|降低|减少"
)
_QUAL_DONE = re.compile(r"^(?:按时|按期|如期|及时|全部|足额)(?:完成|发放|到位|办结)?$")


@dataclass(frozen=True)
class ValueClass:
    """A classified 指标值: the dataset value and the finer form, with a note for the reviewer."""

    value: TargetValue
    form: str
    note: str | None = None

    @property
    def label(self) -> str:
        return VALUE_FORMS[self.form]


def classify_value(text: str) -> ValueClass:
    """Classify one 指标值 (verbatim ``text``); never raises. See VALUE_FORMS for the forms."""
    raw = re.sub(r"\s+", " ", text).strip()
    s = _canon(raw)
    if not s:
        return ValueClass(TargetValue(raw, "qualitative", None, None, "qualitative", None), "unknown", "指标值为空")
    m = _RECUR_DAY.match(s)
    if m:
        day = int(m.group(2))
        if 1 <= day <= 31:
            # the last occurrence in the year is the dataset deadline (December for a monthly one)
            dl = f"12-{min(day, 31):02d}"
            return ValueClass(
                TargetValue(raw, "deadline", None, None, "deadline", dl), "recurring_deadline",
                f"周期性期限“{raw}”：按全年最后一期（12 月 {day} 日）作为期限导入，年中需逐期核对",
            )
    m = _RECUR_COUNT.match(s)
    if m:
        per = PERIODS[m.group(1)]
        n = int(m.group(3))
        total = float(n * per)
        return ValueClass(
            TargetValue(raw, ">=", total, m.group(4), "count", None), "recurring_count",
            f"周期次数“{raw}”按全年 {n * per} {m.group(4)}（{per} 期 × {n}）导入",
        )
    if _ZERO.match(s):
        return ValueClass(TargetValue(raw, "=", 0.0, None, "zero", None), "zero")
    if _QUAL_DONE.match(s):
        return ValueClass(TargetValue(raw, "qualitative", None, None, "qualitative", None), "qualitative")
    try:
        tv = parse_target_value(raw)
    except TargetValueError as exc:
        return ValueClass(
            TargetValue(raw, "qualitative", None, None, "qualitative", None), "unknown",
            f"{exc}；原文保留，暂按定性指标导入，请核对",
        )
    if tv.kind == "qualitative" and not (s in _QUAL_VALUES or _QUAL_RE.search(s) or _QUAL_WORD.search(s)):
        return ValueClass(tv, "unknown", f"指标值“{raw}”无法识别；原文保留，暂按定性指标导入，请核对")
    return ValueClass(tv, tv.kind)


_STOCK_WORDS = ("率", "覆盖", "满意", "达标", "合格", "完好", "在岗", "保有", "存量", "余额", "人数", "户数")
_FLOW_WORDS = ("次数", "人次", "场次", "件数", "批次", "培训", "宣传", "发放", "开展", "举办", "办理", "检查", "抽检", "印刷")
_ONE_OFF_WORDS = ("建设", "建成", "完成", "竣工", "验收", "购置", "采购", "编制", "出台", "制定", "上线")


def guess_nature(level3: str | None, description: str | None, target_text: str | None, unit: str | None) -> str | None:
    """A guess of the indicator's nature: "flow", "stock", "one-off", "scheduled" or None.

    flow: accumulates over the year (trainings held, people served); stock: a level at a point in
    time (rates, coverage, satisfaction); one-off: done once (a building completed, a plan issued);
    scheduled: due at dates in the year (每月 10 日前, 12 月 31 日前). A guess for a person to confirm.
    """
    text = (level3 or "") + (description or "")
    target = target_text or ""
    cls = classify_value(target) if target else None
    form = cls.form if cls else None
    if form in ("recurring_deadline", "recurring_count"):
        return "scheduled" if form == "recurring_deadline" else "flow"
    if form == "deadline":
        return "one-off" if any(w in text for w in _ONE_OFF_WORDS) else "scheduled"
    if form in ("rate", "ceiling") or (unit or "") in ("%", "‰"):
        return "stock"
    if form == "cost":
        return "flow"
    if form in ("count", "zero"):
        if any(w in text for w in _FLOW_WORDS):
            return "flow"
        if any(w in text for w in _STOCK_WORDS):
            return "stock"
        return "flow" if form == "count" else None
    if any(w in text for w in ("满意",)):
        return "stock"
    return None

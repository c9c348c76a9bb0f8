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


# DOMAIN.md §5a: the nature of a count indicator decides how its expectation grows over the year
# (codes and Chinese labels: perfwatch.vocab.NATURES / NATURE_LABELS)
_SCHEDULED_WORDS = ("培训", "宣传", "评查", "会议", "演练", "检查", "督查", "巡查", "讲座", "活动次数", "开展")
_ONE_OFF_WORDS = ("购置", "采购", "印刷", "印制", "调查", "编制", "出台", "制定", "建设", "建成", "竣工", "验收", "上线")
_STOCK_WORDS = ("维护", "运维", "运行", "保有", "在用", "在岗", "覆盖", "站点", "系统", "设备", "套")
_FLOW_UNITS = ("件", "人次", "户次", "件次", "人", "户", "例", "宗", "批次", "万人次", "元", "万元")


def guess_nature(level3: str | None, description: str | None, target_text: str | None, unit: str | None) -> str | None:
    """A guess of a count indicator's nature (DOMAIN.md §5a): "flow", "stock", "one_off", "scheduled".

    None when the indicator is not a count (rates, deadlines, qualitative, costs) or when no word
    or unit points one way. flow: cases handled, people served over the year; stock: systems or
    stations kept; one_off: a purchase, a print run, a survey; scheduled: trainings, campaigns,
    reviews held a few times a year ("每季度 1 次"). A guess, listed in the findings, to be confirmed.
    """
    text = (level3 or "") + (description or "")
    cls = classify_value(target_text or "") if target_text else None
    if cls is None or cls.form not in ("count", "recurring_count", "zero"):
        return None
    if cls.form == "recurring_count":
        return "scheduled"
    if cls.form == "zero":
        return "flow"  # incidents counted over the year
    u = unit or cls.value.unit or ""
    if any(w in text for w in _ONE_OFF_WORDS):
        return "one_off"
    if any(w in text for w in _SCHEDULED_WORDS) and u in ("次", "场", "期", "场次", ""):
        return "scheduled"
    if any(w in text for w in _STOCK_WORDS) or u in ("套", "台", "座", "处", "个"):
        return "stock"
    if u in _FLOW_UNITS or "人次" in text:
        return "flow"
    return None

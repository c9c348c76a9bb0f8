"""One indicator row of a form and the small helpers every output shares: number formats, the
1–N月 period label, the 执行情况 text of an indicator (state words, dated stale values), the 一级/二级
classification of 部门整体 indicators and the import's source finding for a row.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from perfwatch import numfmt
from perfwatch.cells import number_or_none
from perfwatch.periods import month_end
from perfwatch.views import is_missing
from perfwatch.vocab import LAGGING


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _list(value: Any) -> tuple[str, ...]:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ()
    return tuple(str(v) for v in value)


def period_label(as_of: dt.date) -> str:
    """The form's 1–N月: '1–7月' at a month end ('1月' for January), else '1月1日–7月15日'."""
    if as_of == month_end(as_of.year, as_of.month):
        return "1月" if as_of.month == 1 else f"1–{as_of.month}月"
    return f"1月1日–{as_of.month}月{as_of.day}日"


def fmt_amount(value: float | None) -> str:
    """万元, 2 decimals half-up (the one rounding: :mod:`perfwatch.numfmt`)."""
    return numfmt.money(value)


def fmt_pct(value: float | None, digits: int = 2) -> str:
    """A percentage, half-up (:mod:`perfwatch.numfmt`)."""
    return numfmt.pct(value, digits=digits)


def fmt_number(value: float | None) -> str:
    """A reported value without trailing zeros: 120, 98.5."""
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass
class IndicatorLine:
    """One 三级指标 row of the monitoring form, with the engine's light."""

    indicator_id: int
    level1: str
    level2: str
    level3: str
    target_text: str
    actual_text: str          # 1–N月执行情况
    projected_text: str       # 全年预计完成情况
    causes: tuple[str, ...]   # ticked 偏差原因 categories
    cause_text: str           # 原因说明
    likelihood: str           # 完成目标可能性
    measure: str              # 纠偏措施
    note: str
    light: str
    reason: str
    quirk: str = ""           # a source quirk flagged at import, carried to the form's 备注
    levels_inferred: bool = False   # 一级/二级 classified from the indicator (部门整体 rows)
    state: str = ""           # 未到期 / 待评 / 尚未支出 / 未填报 ... when nothing is reported yet
    attachments: tuple[str, ...] = ()   # 佐证材料 file names of the value (its round's), for the 备注

    @property
    def lagging(self) -> bool:
        return self.light in LAGGING


# Grey states a row without a result is in (the status reason starts with one of them).
STATES: tuple[str, ...] = ("未到期", "待评", "尚未支出", "未到首个节点", "未开展调查", "未填报")


def row_state(light: str, reason: str) -> str:
    """The state word of a grey row, read from the status reason ("未到期：…" -> "未到期")."""
    if light != "grey":
        return ""
    head = reason.split("：", 1)[0].split("，", 1)[0].strip()
    return head if head in STATES else ""


def _md(value: Any) -> str:
    ts = pd.Timestamp(value)
    return f"{ts.month}月{ts.day}日"


def actual_text(row: Any, as_of: dt.date | None = None) -> str:
    """1–N月执行情况 of an indicator: the engine's actual with its unit, the done date, the rating.

    A value reported before the reporting month carries its date ("30 件（截至6月30日）"). Without a
    result the row says the state the status engine gives it (未到期 / 待评 / …), "未填报" only
    when the engine says so.
    """
    parts: list[str] = []
    value = number_or_none(row.get("actual"))
    unit = _text(row.get("unit"))
    result_as_of = row.get("result_as_of")
    if value is not None and is_missing(result_as_of) and _text(row.get("rule_kind")) == "cost":
        parts.append(f"已支出 {fmt_amount(value)} 万元")
    elif value is not None and not is_missing(result_as_of):
        unit_text = unit if unit in ("%", "") else f" {unit}"
        parts.append(f"{fmt_number(value)}{unit_text}")
    done = row.get("done_date")
    if not is_missing(done):
        parts.append(f"已于{_md(done)}完成")
    rating = _text(row.get("rating"))
    if rating:
        parts.append(f"评价：{rating}")
    if parts:
        text = "；".join(parts)
        if as_of is not None and not is_missing(result_as_of):
            res = pd.Timestamp(result_as_of).date()
            if res < dt.date(as_of.year, as_of.month, 1):
                text += f"（截至{_md(res)}）"
        return text
    state = row_state(_text(row.get("light")) or "grey", _text(row.get("reason")))
    if state:
        return state
    return "未填报" if is_missing(result_as_of) else ""


# 一级/二级指标 of a 部门整体 indicator the document lists in prose: by the indicator's own kind.
def infer_levels(level3: str, kind: str) -> tuple[str, str]:
    if "满意" in level3:
        return "满意度指标", "服务对象满意度指标"
    if kind == "qualitative":
        if any(w in level3 for w in ("保障", "稳定", "长效", "持续")):
            return "效益指标", "可持续影响指标"
        return "效益指标", "社会效益指标"
    if kind == "deadline":
        return "产出指标", "时效指标"
    if kind == "cost":
        return "产出指标", "成本指标"
    if kind in ("rate", "ceiling"):
        return "产出指标", "质量指标"
    return "产出指标", "数量指标"


def source_quirk(level3: str, description: str) -> str:
    """The import's finding for a row whose 三级指标 names one rate and whose 描述 defines another."""
    from perfwatch.importers.targets_text.dataset import name_contradiction

    hit = name_contradiction(level3, description) if level3 and description else None
    if hit is None:
        return ""
    desc = description if len(description) <= 40 else description[:39] + "…"
    return (f"原文件此行三级指标为“{level3}”，指标描述却是“{desc}”（{hit[0]}与{hit[1]}不符），"
            "按原文保留，请核实。")


def _indicator_line(r: Any, as_of: dt.date, department_level: bool = False,
                    attachments: tuple[str, ...] = ()) -> IndicatorLine:
    level1, level2 = _text(r.get("level1")), _text(r.get("level2"))
    inferred = False
    if department_level and not level1 and not level2:
        level1, level2 = infer_levels(_text(r.get("level3")), _text(r.get("kind")))
        inferred = True
    light = _text(r.get("light")) or "grey"
    reason = _text(r.get("reason"))
    has_result = not is_missing(r.get("result_as_of"))
    return IndicatorLine(
        indicator_id=int(r["indicator_id"]),
        level1=level1,
        level2=level2,
        level3=_text(r.get("level3")),
        target_text=_text(r.get("target_text")),
        actual_text=actual_text(r, as_of),
        projected_text=_text(r.get("projected_text")),
        causes=_list(r.get("cause_categories")),
        cause_text=_text(r.get("cause_text")),
        likelihood=_text(r.get("likelihood")),
        measure=_text(r.get("measure")),
        note=_text(r.get("note")),
        light=light,
        reason=reason,
        quirk=source_quirk(_text(r.get("level3")), _text(r.get("description"))),
        levels_inferred=inferred,
        state="" if has_result else row_state(light, reason),
        attachments=attachments,
    )

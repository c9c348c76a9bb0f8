"""Milestones of a count indicator (DOMAIN.md §5a) as text and as dataset entries, pure (no database).

A milestone is the cumulative value expected by the end of a month. One text format everywhere a
person types them (the targets page, the Excel template's 里程碑 column, the CLI):

    3月:2;6月:4;9月:6;12月:8

pairs of month (1–12, "月" optional) and cumulative value, separated by ";" (or "；", ",", "，", "、");
the colon may be half- or full-width ("6:2,12:4" is the same as "6月：2；12月：4"). Months and values
both strictly increase; values are positive. An empty text means no milestones.
The dataset holds them as ``[{"month": 3, "value": 2}, ...]``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from perfwatch.errors import ValidationError

Milestones = tuple[tuple[int, float], ...]

FORMAT_HELP = "月份:累计值，用分号隔开，如 3月:2;6月:4;9月:6;12月:8（月末累计值，逐月递增）"

_SPLIT = re.compile(r"[;；,，、]")
_PAIR = re.compile(r"^\s*(\d{1,2})\s*月?\s*[:：]\s*(\d+(?:\.\d+)?)\s*$")


def _num(v: float) -> str:
    return f"{v:g}"


def check(pairs: Iterable[tuple[int, float]]) -> Milestones:
    """Months 1–12 and positive cumulative values, both strictly increasing; ValidationError (Chinese)."""
    out: list[tuple[int, float]] = []
    for month, value in pairs:
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            raise ValidationError(f"里程碑月份 {month} 超出范围，应为 1–12。")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise ValidationError(f"里程碑 {month} 月的累计值应为正数，收到 {value!r}。")
        if out and month <= out[-1][0]:
            raise ValidationError(f"里程碑月份须逐个递增：{out[-1][0]} 月之后是 {month} 月。")
        if out and value <= out[-1][1]:
            raise ValidationError(
                f"里程碑累计值须逐个递增：{out[-1][0]} 月为 {_num(out[-1][1])}，{month} 月为 {_num(value)}。")
        out.append((month, float(value)))
    return tuple(out)


def parse(text: str | None) -> Milestones:
    """"3月:2;6月:4" -> ((3, 2.0), (6, 4.0)); empty -> (); ValidationError naming the bad part."""
    if text is None or not str(text).strip():
        return ()
    pairs: list[tuple[int, float]] = []
    for part in _SPLIT.split(str(text)):
        if not part.strip():
            continue
        m = _PAIR.match(part)
        if m is None:
            raise ValidationError(f"里程碑“{part.strip()}”格式有误，应为 {FORMAT_HELP}。")
        pairs.append((int(m.group(1)), float(m.group(2))))
    return check(pairs)


def to_text(milestones: Sequence[tuple[int, float]]) -> str:
    """((3, 2.0), (6, 4.0)) -> "3月:2;6月:4" (the format :func:`parse` reads); "" when none."""
    return ";".join(f"{int(m)}月:{_num(float(v))}" for m, v in milestones)


def from_dataset(entries: Any, where: str) -> Milestones:
    """A dataset's ``milestones`` list ([{"month": 6, "value": 2}, ...]) checked; ValidationError naming ``where``."""
    if not isinstance(entries, list):
        raise ValidationError(f"{where}：milestones 应为列表，如 [{{\"month\": 6, \"value\": 2}}]")
    pairs: list[tuple[int, float]] = []
    for k, e in enumerate(entries, 1):
        if not isinstance(e, dict) or set(e) != {"month", "value"}:
            raise ValidationError(f"{where}：milestones 第 {k} 项应为 {{\"month\": 月份, \"value\": 累计值}}，收到 {e!r}")
        pairs.append((e["month"], e["value"]))
    try:
        return check(pairs)
    except ValidationError as exc:
        raise ValidationError(f"{where}：{exc}") from exc


def to_dataset(milestones: Sequence[tuple[int, float]]) -> list[dict[str, Any]]:
    """((6, 2.0),) -> [{"month": 6, "value": 2.0}]."""
    return [{"month": int(m), "value": float(v)} for m, v in milestones]

"""Plausibility limits: figures so far out of scale that they are typing or unit errors are refused,
not just confirmed (issue 16 item 2). Pure functions: every save path calls them with what it has.

Defaults (setting ``plausibility_limits``, a JSON object; an admin may change them, each value is
clamped to a sane range):

- ``spend_budget_multiple`` = 10: one month's spend, or a project's year total, above 10 × the
  project budget is refused (a spend above the budget but below that still asks "确认超预算").
- ``spend_without_budget_wan`` = 10,000 万元: the same cap when a project has no budget.
- ``result_target_multiple`` = 10: a count/amount result above 10 × its target value is refused.
- ``result_max`` = 1e9: no result value of any kind above this.
- percentages stay 0–100 unless the target itself is above 100 (then 10 × target).

Also :func:`nice_ticks` for chart/PDF axes: a bounded number of ticks for any stored value.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields, replace
from decimal import Decimal

import duckdb

from perfwatch import db

SETTING_KEY = "plausibility_limits"
MAX_AMOUNT_WAN = Decimal(1000000000)   # as perfwatch.store: fits DECIMAL(18, 6) with room to add up


@dataclass(frozen=True)
class Limits:
    spend_budget_multiple: float = 10.0
    spend_without_budget_wan: float = 10_000.0
    result_target_multiple: float = 10.0
    result_max: float = 1e9


DEFAULTS = Limits()
# (lowest, highest) an admin may set each limit to.
_RANGES: dict[str, tuple[float, float]] = {
    "spend_budget_multiple": (1.0, 1000.0),
    "spend_without_budget_wan": (1.0, float(MAX_AMOUNT_WAN) / 10),
    "result_target_multiple": (1.0, 1000.0),
    "result_max": (1.0, 1e12),
}


def from_setting(value: object) -> Limits:
    """Limits from a setting value (dict or JSON text); missing, unreadable or absurd entries keep the default."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return DEFAULTS
    if not isinstance(value, dict):
        return DEFAULTS
    out = DEFAULTS
    for f in fields(Limits):
        raw = value.get(f.name)
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
            continue
        lo, hi = _RANGES[f.name]
        out = replace(out, **{f.name: min(max(float(raw), lo), hi)})
    return out


def load(conn: duckdb.DuckDBPyConnection) -> Limits:
    """The limits in force (setting ``plausibility_limits``, else the defaults)."""
    try:
        rows = db.query(conn, "store/get_setting", {"key": SETTING_KEY})
    except duckdb.Error:
        return DEFAULTS
    return from_setting(rows[0][0]) if rows else DEFAULTS


def _wan(value: Decimal | float) -> str:
    return f"{Decimal(str(value)).quantize(Decimal('0.01')):,}"


def amount_problem(amount: Decimal | float, what: str = "金额") -> str | None:
    """A Chinese message when ``amount`` (万元) is not a finite number below MAX_AMOUNT_WAN."""
    try:
        dec = Decimal(str(amount))
    except ArithmeticError:
        return f"{what}不是有效数字。"
    if not dec.is_finite():
        return f"{what}不是有效数字。"
    if abs(dec) >= MAX_AMOUNT_WAN:
        return f"{what} {amount} 万元超出系统上限（{MAX_AMOUNT_WAN:,} 万元），请检查金额和单位（元/万元）。"
    return None


def spend_problem(
    amount: Decimal | float, budget: Decimal | float | None, limits: Limits = DEFAULTS, *, what: str = "单月支出"
) -> str | None:
    """A Chinese message when a spend figure (万元) is implausible for a project with ``budget`` 万元:
    beyond the system maximum, or above ``spend_budget_multiple`` × budget. None = plausible."""
    problem = amount_problem(amount, what)
    if problem:
        return problem
    dec = Decimal(str(amount))
    bud = Decimal(str(budget or 0))
    if bud > 0:
        cap = bud * Decimal(str(limits.spend_budget_multiple))
        if dec > cap:
            return (f"{what} {_wan(dec)} 万元超过项目预算 {_wan(bud)} 万元的 {limits.spend_budget_multiple:g} 倍，"
                    "判定为录入错误，未保存（不能通过“确认超预算”保存）。请检查金额和单位（元/万元）。")
    elif dec > Decimal(str(limits.spend_without_budget_wan)):
        return (f"{what} {_wan(dec)} 万元超过无预算项目的上限 {_wan(limits.spend_without_budget_wan)} 万元，"
                "判定为录入错误，未保存。请检查金额和单位（元/万元）。")
    return None


def result_problem(
    value: float | None,
    *,
    is_percent: bool,
    target: float | None,
    limits: Limits = DEFAULTS,
) -> str | None:
    """A Chinese message when an indicator result is out of scale for its kind; None = plausible.

    Percentages: 0–100, unless the target itself is above 100 (then up to multiple × target).
    Counts and amounts: below multiple × target (when the target is a positive number). Any kind:
    finite and below ``result_max``.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return "完成值不是有效数字。"
    num = float(value)
    if not math.isfinite(num):
        return "完成值不是有效数字。"
    if abs(num) >= limits.result_max:
        return f"完成值 {num:g} 超出系统上限（{limits.result_max:g}），请检查。"
    tgt = float(target) if isinstance(target, (int, float, Decimal)) and math.isfinite(float(target)) else None
    if is_percent:
        cap = 100.0 if tgt is None or tgt <= 100 else tgt * limits.result_target_multiple
        if num > cap:
            return f"完成值 {num:g}% 超过 {cap:g}%：百分比指标的完成值须在 0–{cap:g} 之间。"
        return None
    if tgt is not None and tgt > 0 and num > tgt * limits.result_target_multiple:
        return (f"完成值 {num:g} 超过目标值 {tgt:g} 的 {limits.result_target_multiple:g} 倍，"
                "判定为录入错误，未保存。请检查数值和单位。")
    return None


def nice_ticks(top: float, *, max_ticks: int = 8, floor: float = 100.0) -> tuple[float, list[float]]:
    """(axis maximum, tick positions) for an axis from 0 to ``top`` (any stored value: NaN, inf, 1e15):
    at most ``max_ticks`` + 1 ticks at a round step (1, 2, 2.5 or 5 × 10^k), the axis at least ``floor``."""
    if not isinstance(top, (int, float)) or not math.isfinite(top) or top < floor:
        top = floor if not (isinstance(top, (int, float)) and math.isinf(top) and top > 0) else 1e12
    top = min(float(top), 1e12)
    raw = top / max_ticks
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    n = math.ceil(top / step - 1e-9)
    return n * step, [k * step for k in range(n + 1)]

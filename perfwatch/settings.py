"""Light rules and their thresholds: defaults in code, overrides in the ``settings`` table.

All tunable rules live in one setting, ``rules`` (a JSON object of :class:`Rules` fields), written
through :func:`perfwatch.store.set_setting` so every change is audited. Fields missing from the
stored object take the defaults below, so adding a field never needs a data migration.

The light vocabulary (order, severity, names, colours) lives in :mod:`perfwatch.vocab`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import duckdb

from perfwatch import db, store
from perfwatch.plan import PLAN_METHODS
from perfwatch.vocab import (  # noqa: F401  (re-exported: the vocabulary's historical home)
    LIGHT_COLORS,
    LIGHT_LABELS,
    LIGHT_NAMES,
    LIGHTS,
    SEVERITY,
    SEVERITY_ORDER,
    worst,
)

SETTING_KEY = "rules"

EXECUTION_RULES: tuple[str, ...] = ("ratio", "points")
@dataclass(frozen=True)
class Rules:
    """Thresholds of every light. Percentages and ratios are plain numbers (60 means 60)."""

    execution_rule: str = "ratio"          # "ratio" (执行率÷应达×100) or "points" (执行率−应达)
    ratio_red_below: float = 60.0          # ratio < 60 red
    ratio_yellow_below: float = 80.0       # 60 <= ratio < 80 yellow, >= 80 green
    points_red_below: float = -15.0        # gap < -15pp red
    points_yellow_below: float = -5.0      # -15 <= gap < -5 yellow, >= -5 green
    rate_tolerance_pp: float = 5.0         # rate indicators: within 5pp below target yellow
    count_red_below: float = 60.0          # count indicators: actual/expected×100 < 60 red
    count_yellow_below: float = 80.0       # 60–80 yellow
    count_blue_from: float = 120.0         # 80–120 green, >= 120 blue
    plan_method: str = "linear"            # "linear" or "step"
    grey_before_first_checkpoint: bool = True  # pace grey 未到首个节点 before the end of March (§5a)

    def validate(self) -> None:
        """Raise :class:`store.ValidationError` (Chinese) when the rules are inconsistent."""
        problems: list[str] = []
        if self.execution_rule not in EXECUTION_RULES:
            problems.append(f"执行进度规则须为 {'/'.join(EXECUTION_RULES)} 之一")
        if self.plan_method not in PLAN_METHODS:
            problems.append(f"计划进度算法须为 {'/'.join(PLAN_METHODS)} 之一")
        if not 0 <= self.ratio_red_below <= self.ratio_yellow_below:
            problems.append("比值规则：红灯阈值须不大于黄灯阈值且不小于0")
        if not self.points_red_below <= self.points_yellow_below <= 0:
            problems.append("百分点规则：红灯阈值须不大于黄灯阈值且不大于0")
        if not 0 <= self.rate_tolerance_pp <= 100:
            problems.append("比率指标容差须在0–100个百分点之间")
        if not 0 <= self.count_red_below <= self.count_yellow_below <= 100 <= self.count_blue_from:
            problems.append("数量指标：须 0 ≤ 红灯阈值 ≤ 黄灯阈值 ≤ 100 ≤ 蓝灯阈值")
        if problems:
            raise store.ValidationError("；".join(problems))

    def as_params(self) -> dict[str, Any]:
        """The rules as ``$named`` SQL parameters (same names as the fields)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


DEFAULT_RULES = Rules()


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def rule_text(rules: Rules = DEFAULT_RULES) -> dict[str, str]:
    """One Chinese line per rule, with the thresholds in force (for hovers and notes)."""
    r = rules
    return {
        "ratio": f"执行率÷计划应达进度×100：≥{_num(r.ratio_yellow_below)} 绿，"
        f"{_num(r.ratio_red_below)}–{_num(r.ratio_yellow_below)} 黄，<{_num(r.ratio_red_below)} 红",
        "points": f"执行率−计划应达进度（百分点）：≥{_num(r.points_yellow_below)} 绿，"
        f"{_num(r.points_red_below)}至{_num(r.points_yellow_below)} 黄，<{_num(r.points_red_below)} 红",
        "first_checkpoint": (
            "3月底（首个计划节点）之前只显示计划应达进度，支出进度灯为灰灯“未到首个节点”，不评红黄灯（超预算照常标记）"
            if r.grey_before_first_checkpoint else "3月底之前也按比值规则评价支出进度（已关闭“未到首个节点”灰灯）"
        ),
        "rounding": "执行率与计划应达进度先按四舍五入保留两位小数，再用这两个数计算比值（保留一位小数）与灯，"
        "例如 20.50÷56.25×100=36.4，与计算器结果一致",
        "not_due": "计划应达进度为0时不评价（灰灯“未到支出节点”），已有支出则为绿灯",
        "overspent": "累计支出超过预算数单独标记“超预算”，不改变进度灯",
        "plan": "计划应达进度：按3/6/10/12月底等计划节点线性插值（可改为阶梯：取已到达节点）；序时进度=已过月数÷12",
        "count": f"数量指标（流量，如办案件数、服务人次；性质未设置时同此）：实际÷按序时（或里程碑）应达×100：<{_num(r.count_red_below)} 红，"
        f"{_num(r.count_red_below)}–{_num(r.count_yellow_below)} 黄，"
        f"{_num(r.count_yellow_below)}–{_num(r.count_blue_from)} 绿，≥{_num(r.count_blue_from)} 蓝；应达不足1个单位时“未到期”",
        "nature": "数量指标按性质判断（导入时按名称和单位推定，可在“项目与绩效目标”页和 Excel 模板中修改）："
        f"存量（如维护的系统套数）从年初起按全年目标，实际÷目标×100：≥100 绿，低于100但在{_num(r.rate_tolerance_pp)}个百分点以内黄，否则红；"
        "一次性（如采购、印刷、调查）在计划月份（最后一个里程碑月份，无里程碑为12月）月底之前为灰灯“未到期”，之后同存量；"
        "集中开展（如培训、宣传活动、案卷评查）有里程碑时应达=截至日期已到月份的里程碑累计值，按数量指标阈值判断，"
        "无里程碑时9月30日及之前为灰灯“未到期”，10月1日起同存量；未到期但已达到全年目标的为绿灯",
        "stale": "旧数值：截至日期所在月份之前填报的最新结果，按它自己的日期计算应达值并判断，数值后注明日期，"
        "如“30件（截至7月31日）”",
        "rate": f"比率指标：达到年度指标值绿，低于指标值{_num(r.rate_tolerance_pp)}个百分点以内黄，否则红",
        "ceiling": "上限指标：不超过上限绿，超过红",
        "zero": "零目标指标：未发生绿，发生即红",
        "cost": "成本指标：尚未支出为灰灯“尚未支出”；已支出超过上限红；负责人填报的全年预计执行数超过上限黄；"
        "系统测算的全年预计以预算数为限（支出快于计划不算成本超支）；否则绿",
        "deadline": "时限指标：已完成绿；期限之前未完成为灰灯“未到期”（负责人判断“有可能”黄、“完全不可能”红）；"
        "到期当日及之后仍未完成为红灯“已到期未完成”（截至12月31日时，“12月31日前”即已到期）",
        "qualitative": "定性指标：负责人评价 达成绿、部分达成黄、未达成红，未评价“待评”",
        "satisfaction": "满意度（满意率）指标：调查前“待评”（灰灯）；截至12月31日仍无调查结果为红灯“未开展调查”",
        "likelihood": "完成目标可能性只会使灯变差：“有可能”至少黄灯，“完全不可能”红灯",
        "rollup": "项目绩效目标灯取最差的指标灯（红>黄>绿>蓝，灰灯仅在全部为灰时）；综合灯取支出灯与目标灯中较差者",
    }


LIGHT_RULE_TEXT: dict[str, str] = rule_text(DEFAULT_RULES)


def rules_from_dict(data: dict[str, Any]) -> Rules:
    """:class:`Rules` from a stored JSON object: unknown keys ignored, missing keys default."""
    known = {f.name: f for f in fields(Rules)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            continue
        if known[key].type == "str":
            values[key] = str(value)
        elif known[key].type == "bool":
            if not isinstance(value, bool):
                raise store.ValidationError(f"规则设置 {key} 的值 {value!r} 应为 true 或 false")
            values[key] = value
        else:
            try:
                values[key] = float(value)
            except (TypeError, ValueError) as exc:
                raise store.ValidationError(f"规则设置 {key} 的值 {value!r} 不是数字") from exc
    rules = replace(DEFAULT_RULES, **values)
    rules.validate()
    return rules


def load_rules(conn: duckdb.DuckDBPyConnection) -> Rules:
    """The rules in force: the ``rules`` setting over the defaults."""
    rows = db.query(conn, "store/get_setting", {"key": SETTING_KEY})
    if not rows:
        return DEFAULT_RULES
    data = json.loads(rows[0][0])
    if not isinstance(data, dict):
        raise store.ValidationError("规则设置 rules 应为 JSON 对象")
    return rules_from_dict(data)


def save_rules(conn: duckdb.DuckDBPyConnection, actor: store.Actor, rules: Rules) -> None:
    """Validate and store ``rules`` (one audited write through :func:`store.set_setting`)."""
    rules.validate()
    store.set_setting(conn, actor, SETTING_KEY, asdict(rules))

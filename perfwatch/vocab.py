"""The monitoring vocabulary, defined once: lights (order, severity, Chinese names, colours), what
counts as lagging and in what order, cause categories, likelihoods and ratings.

Every page, report, export and rule imports these names; nothing else in the tree spells out a
light -> colour or light -> label map (``tests/test_vocab.py`` guards that).

Severity (for roll-ups, worst first): red > yellow > green > blue > grey. Blue ("far ahead") is on
track, so it counts as better than green; grey (no data / not due / 待评) is ignored unless every
light is grey.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

# Display order, worst first (tables, counts, legends).
LIGHTS: tuple[str, ...] = ("red", "yellow", "green", "blue", "grey")
SEVERITY_ORDER: tuple[str, ...] = LIGHTS

# Roll-ups take the light with the highest severity; grey only when all are grey.
SEVERITY: dict[str, int] = {"grey": 0, "blue": 1, "green": 2, "yellow": 3, "red": 4}
BY_SEVERITY: dict[int, str] = {v: k for k, v in SEVERITY.items()}

# Hex colours (charts, Excel, PDF, SVG dots).
LIGHT_COLORS: dict[str, str] = {
    "green": "#2e7d32",
    "yellow": "#f9a825",
    "red": "#c62828",
    "blue": "#1565c0",
    "grey": "#9e9e9e",
}
# Text drawn on a light-coloured fill (yellow is light: black text; the others white).
LIGHT_TEXT_COLORS: dict[str, str] = {light: "#000000" if light == "yellow" else "#FFFFFF" for light in LIGHT_COLORS}

# Streamlit's named colours (st.badge, ":color[text]" markdown). Yellow is "yellow" everywhere.
LIGHT_UI_COLORS: dict[str, str] = {
    light: {"grey": "gray"}.get(light, light) for light in LIGHTS
}

# Coloured markdown text (":orange[…]"): Streamlit's yellow text does not read on white, so yellow
# text is orange; badges and fills stay yellow.
LIGHT_MARKDOWN_COLORS: dict[str, str] = {**LIGHT_UI_COLORS, "yellow": "orange"}

LIGHT_NAMES: dict[str, str] = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "blue": "蓝灯", "grey": "灰灯"}

LIGHT_LABELS: dict[str, str] = {
    "green": "绿灯：正常，按计划推进",
    "yellow": "黄灯：轻度滞后，需关注",
    "red": "红灯：严重滞后或未达标，需纠偏",
    "blue": "蓝灯：远超进度（目标可能定得偏低）",
    "grey": "灰灯：未到期、待评或未填报",
}

# "Lagging" (滞后): a combined light of red or yellow; listed red first, then yellow.
LAGGING_LIGHTS: tuple[str, ...] = ("red", "yellow")
LAGGING: frozenset[str] = frozenset(LAGGING_LIGHTS)

# Spending above the budget by more than this (万元, half a 分 of rounding) is flagged 超预算.
OVERSPEND_TOLERANCE_WAN = 0.004

# Spend is stored in 万元 with six decimals: exact to the 分 when an export is in 元.
SPEND_QUANTUM = Decimal("0.000001")

# 偏差原因 categories, 完成目标可能性 and qualitative ratings (财预〔2019〕136号 form).
CAUSE_CATEGORIES: tuple[str, ...] = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")
LIKELIHOODS: tuple[str, ...] = ("确定能", "有可能", "完全不可能")
AT_RISK_LIKELIHOODS: tuple[str, ...] = ("有可能", "完全不可能")
RATINGS: tuple[str, ...] = ("达成", "部分达成", "未达成")
RATING_LIGHTS: dict[str, str] = dict(zip(RATINGS, ("green", "yellow", "red"), strict=True))

# What an indicator still owes for a reporting month (填报情况): no result ever, or only one older
# than the month (its date is printed beside it, perfwatch.periods.as_of_note).
UNREPORTED = "未填报"
STALE = "本期未更新"

# The nature of a count indicator (DOMAIN.md §5a): how its expectation grows over the year.
#   flow 流量 (pro-rated by months; also when not set), stock 存量 (the full target from the start),
#   one_off 一次性 (未到期 until its planned month), scheduled 集中开展 (by milestones, else from Q4).
NATURES: tuple[str, ...] = ("flow", "stock", "one_off", "scheduled")
NATURE_LABELS: dict[str, str] = {"flow": "流量", "stock": "存量", "one_off": "一次性", "scheduled": "集中开展"}
NATURE_HELP: dict[str, str] = {
    "flow": "流量：按序时（月数/12）折算应达值，如办案件数、服务人次",
    "stock": "存量：全年目标从年初起适用，按实际÷目标判断，如维护的系统套数",
    "one_off": "一次性：计划月份（最后一个里程碑月份，否则 12 月）之前未到期，之后按全年目标，如一次采购、印刷",
    "scheduled": "集中开展：按里程碑（月末累计值）判断；无里程碑时第四季度起按全年目标，如培训、宣传活动",
}


def nature_code(text: str | None) -> str | None:
    """A nature from its code or Chinese label ("stock", "存量"); None when blank or unknown."""
    s = (text or "").strip()
    if s in NATURE_LABELS:
        return s
    return {label: code for code, label in NATURE_LABELS.items()}.get(s)


# Words people type for a light (the CLI and imports), mapped to the light.
_LIGHT_WORDS: dict[str, str] = {
    **{light: light for light in LIGHTS},
    "gray": "grey",
    **{name: light for light, name in LIGHT_NAMES.items()},
    **{name[0]: light for light, name in LIGHT_NAMES.items()},
}


def normalise_light(text: str | None) -> str | None:
    """A light from its code or Chinese name ("yellow", "黄灯", "黄"); None when unknown."""
    return _LIGHT_WORDS.get((text or "").strip().lower())


def light_name(light: object, missing: str = "—") -> str:
    """The Chinese name of a light ("红灯"); ``missing`` for anything else."""
    return LIGHT_NAMES.get(str(light), missing)


def is_lagging(light: str | None) -> bool:
    """Whether a light counts as lagging (滞后): red or yellow (Chinese names accepted)."""
    return normalise_light(light) in LAGGING


def lag_rank(light: str | None) -> int:
    """Sort key for lagging lists: red 0, yellow 1, anything else 2."""
    norm = normalise_light(light)
    return LAGGING_LIGHTS.index(norm) if norm in LAGGING else len(LAGGING_LIGHTS)


def worst(lights: Iterable[object]) -> str:
    """The worst light of an iterable (grey only when there is nothing else)."""
    best = "grey"
    for light in lights:
        if isinstance(light, str) and light in SEVERITY and SEVERITY[light] > SEVERITY[best]:
            best = light
    return best


# What lags and in what order (需要关注, the meeting wall, the briefing): red before yellow, then by
# money — the amount behind plan in 万元 (预算数 × 计划应达 ÷ 100 − 累计支出, never below 0), largest
# first — then by project number. A 72 万元 shortfall comes before a 3 万元 one at a lower ratio.
LAG_ORDER_TEXT = "红灯在前，黄灯在后；同色按落后计划的金额（预算数×计划应达进度−累计支出，万元）从多到少，金额相同按项目序号。"


def behind_plan_wan(budget: object, expected_pct: object, spent: object) -> float:
    """万元 behind plan: budget × expected% − spent, 0 when on or ahead of plan or unknown."""
    try:
        b, e, s = float(budget), float(expected_pct), float(spent or 0.0)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    if b != b or e != e or s != s:  # NaN
        return 0.0
    return max(0.0, b * e / 100.0 - s)


def lag_order_key(light: str | None, behind_wan: float, seq: int) -> tuple[int, float, int]:
    """Sort key of :data:`LAG_ORDER_TEXT`: light rank, then 万元 behind plan (descending), then 序号."""
    return (lag_rank(light), -round(behind_wan, 6), seq)

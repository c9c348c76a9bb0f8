"""Read-side shaping for the dashboard pages (no streamlit): the engine's Status into the tables
the pages draw and the workbooks they offer.

Numbers come from :func:`perfwatch.status.compute_status` and are never recomputed here; this
module only selects, renames, orders and joins. The few figures derived here are arithmetic on
engine columns, named in their docstrings (e.g. the deviation amount = spent − budget × expected).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pandas as pd

from perfwatch import numfmt
from perfwatch.cells import as_float, as_int, is_missing
from perfwatch.periods import default_as_of, month_ends  # noqa: F401  (re-exported for the pages)
from perfwatch.plan import expected_pct_at, normalise
from perfwatch.status import Status
from perfwatch.vocab import LAGGING, LIGHT_NAMES, LIGHTS, SEVERITY, behind_plan_wan, lag_order_key
from perfwatch.vocab import light_name as _light_name

LIGHT_ORDER: tuple[str, ...] = LIGHTS
CHECKPOINT_MONTHS: tuple[int, ...] = (3, 6, 10, 12)


# ---------------------------------------------------------------- formatting


def money(value: Any) -> str:
    """万元 with 2 decimals (half-up, :mod:`perfwatch.numfmt`) and thousands separators; "—" when missing."""
    return numfmt.money(value)


def pct(value: Any) -> str:
    """A percentage 0–100 with 2 decimals (half-up): "38.12%"; "—" when missing."""
    return numfmt.pct(value)


def pp(value: Any) -> str:
    """Percentage points with a sign (half-up): "−18.13 个百分点"."""
    return numfmt.pp(value)


def short_name(name: str, width: int = 16) -> str:
    """A project or indicator name cut to ``width`` characters with "…": the one way names are cut on
    screen (chart axes, the meeting screen). Whoever cuts a name shows the full name on hover too."""
    name = str(name)
    return name if len(name) <= width else name[: width - 1] + "…"


def text_width_px(text: str, font_px: int = 14) -> int:
    """About how wide ``text`` is drawn (Chinese and full-width characters one em, others about half)."""
    return sum(font_px if ord(ch) >= 0x2E80 else (font_px * 3 + 4) // 6 for ch in str(text))


def wrap(text: str, width: int = 18) -> str:
    """Break a long label every ``width`` characters with <br> (Plotly axis and hover text)."""
    text = str(text)
    return "<br>".join(text[i : i + width] for i in range(0, len(text), width)) or text


def light_name(light: Any) -> str:
    return _light_name(light)


def causes_text(categories: Any, text: Any) -> str:
    """偏差原因: the ticked categories and the free text, e.g. "经费保障、人员保障：经费未使用"."""
    cats: list[str] = []
    if isinstance(categories, (list, tuple)) or hasattr(categories, "tolist"):
        cats = [str(c) for c in list(categories) if c]
    head = "、".join(cats)
    body = "" if is_missing(text) else str(text)
    if head and body:
        return f"{head}：{body}"
    return head or body


def points_vs_time(execution_pct: Any, time_pct: Any) -> float | None:
    """执行率 − 序时进度 in percentage points (None when the 执行率 is undefined)."""
    if is_missing(execution_pct) or is_missing(time_pct):
        return None
    return float(execution_pct) - float(time_pct)


def total_counts(status: Status, prefix: str) -> dict[str, int]:
    """{light: count} of the status total, e.g. prefix "projects_" or "indicators_"."""
    return {light: int(status.total.get(f"{prefix}{light}", 0)) for light in LIGHT_ORDER}


# ---------------------------------------------------------------- state of the data


def has_actuals(last_data: dt.date | None) -> bool:
    return last_data is not None


# ---------------------------------------------------------------- overview


def attention_list(status: Status, progress: pd.DataFrame | None = None) -> pd.DataFrame:
    """需要关注: lagging projects (spend light red/yellow, or overspent) and indicators (light red
    or yellow), in the one lag order (:data:`perfwatch.vocab.LAG_ORDER_TEXT`): red before yellow,
    then by the project's 万元 behind plan (largest first), spend rows before indicator rows.

    Columns: 类别, 灯, 项目, 名称, 落后计划（万元）, 原因, 偏差原因/说明, 纠偏措施, 完成可能性, light,
    project_code.
    ``progress`` (project_id, progress_text) adds the owner's progress text to project rows.
    """
    rows: list[dict[str, Any]] = []
    texts: dict[int, str] = {}
    if progress is not None and not progress.empty:
        texts = {as_int(r.project_id): str(r.progress_text) for r in progress.itertuples() if not is_missing(r.progress_text)}
    behind: dict[int, float] = {
        as_int(r.project_id): behind_plan_wan(r.budget, r.expected_pct, r.spent) for r in status.projects.itertuples(index=False)
    }
    for r in status.projects.itertuples(index=False):
        if r.execution_light not in LAGGING and not bool(r.overspent):
            continue
        light = r.execution_light if r.execution_light in LAGGING else "yellow"
        rows.append({
            "类别": "支出进度",
            "light": light,
            "项目": r.name,
            "名称": "预算执行进度" + ("（超预算）" if bool(r.overspent) else ""),
            "落后计划（万元）": behind[as_int(r.project_id)],
            "原因": r.execution_reason,
            "偏差原因/说明": texts.get(as_int(r.project_id), ""),
            "纠偏措施": "",
            "完成可能性": "",
            "_score": 0.0 if is_missing(r.ratio) else as_float(r.ratio),
            "_seq": as_int(r.seq),
            "project_code": r.code,
        })
    for r in status.indicators.itertuples(index=False):
        if r.light not in LAGGING:
            continue
        owner = r.project_name if not is_missing(r.project_name) else f"部门整体·分项目标{as_int(r.sub_goal_seq)}"
        score = 100.0
        if not is_missing(r.actual) and not is_missing(r.expected) and as_float(r.expected) > 0 and r.rule_kind in ("count", "rate"):
            score = 100.0 * as_float(r.actual) / as_float(r.expected)
        rows.append({
            "类别": "绩效指标",
            "light": r.light,
            "项目": owner,
            "名称": r.level3,
            "落后计划（万元）": behind.get(as_int(r.project_id), 0.0) if not is_missing(r.project_id) else 0.0,
            "原因": r.reason,
            "偏差原因/说明": causes_text(r.cause_categories, r.cause_text),
            "纠偏措施": "" if is_missing(r.measure) else str(r.measure),
            "完成可能性": "" if is_missing(r.likelihood) else str(r.likelihood),
            "_score": score,
            "_seq": 999 if is_missing(r.project_seq) else as_int(r.project_seq),
            "project_code": None if is_missing(r.project_code) else r.project_code,
        })
    cols = ["类别", "灯", "项目", "名称", "落后计划（万元）", "原因", "偏差原因/说明", "纠偏措施", "完成可能性", "light", "project_code"]
    if not rows:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame(rows)
    out["_kind"] = (out["类别"] == "绩效指标").astype(int)
    out["_key"] = [lag_order_key(light, money, seq) for light, money, seq in zip(out["light"], out["落后计划（万元）"], out["_seq"], strict=True)]
    out = out.sort_values(["_key", "_kind", "_score"], kind="stable")
    out["灯"] = out["light"].map(LIGHT_NAMES)
    return out[cols].reset_index(drop=True)


def detail_title(row: Any) -> str:
    """The heading of a 需要关注 row's detail panel: "红灯 · 项目 · 名称"."""
    return " · ".join(str(row[c]) for c in ("灯", "项目", "名称") if not is_missing(row[c]) and str(row[c]))


def attention_detail(row: Any) -> list[tuple[str, str]]:
    """The why of one 需要关注 row, each part in full (label, text; "—" when not entered)."""
    def text(col: str) -> str:
        value = row[col] if col in row else None
        return "—" if is_missing(value) or not str(value).strip() else str(value)

    return [
        ("判定依据", text("原因")),
        ("落后计划", numfmt.money(row["落后计划（万元）"]) + " 万元" if "落后计划（万元）" in row else "—"),
        ("偏差原因", text("偏差原因/说明")),
        ("纠偏措施", text("纠偏措施")),
        ("完成可能性", text("完成可能性")),
    ]


def department_part(status: Status) -> pd.DataFrame:
    """部门整体绩效目标: the department-level indicators (no project), by sub-goal."""
    ind = status.indicators
    part = ind[ind["project_id"].isna()].copy()
    return part.sort_values(["sub_goal_seq", "seq"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------- spend


def variance_table(status: Status) -> pd.DataFrame:
    """One row per project, worst first (largest shortfall against the plan, in percentage points).

    偏差金额 = 累计支出 − 预算数 × 计划应达 ÷ 100 (negative = behind plan). Other figures are the
    engine's: 执行率, 计划应达, 序时进度, 偏差 (pp), 比值, projections and the amount still to spend
    to reach the next checkpoint.
    """
    p = status.projects
    if p.empty:
        return pd.DataFrame()
    out = pd.DataFrame({
        "序号": p["seq"].astype(int),
        "灯": p["execution_light"].map(LIGHT_NAMES),
        "项目名称": p["name"],
        "预算数（万元）": p["budget"],
        "累计支出（万元）": p["spent"],
        "执行率（%）": p["execution_pct"],
        "计划应达（%）": p["expected_pct"],
        "序时进度（%）": p["time_pct"],
        "偏差（百分点）": p["gap_pp"],
        "偏差金额（万元）": p["spent"] - p["budget"] * p["expected_pct"] / 100,
        "比值": p["ratio"],
        "全年预计·按计划（万元）": p["plan_shaped"],
        "全年预计·按月均（万元）": p["run_rate"],
        "全年预计·负责人（万元）": p["owner_projection"],
        "预计结余（万元）": p["budget"] - p["projection"],
        "下一节点": [
            "—" if is_missing(m) else f"{int(m)}月底 {float(c):g}%"
            for m, c in zip(p["next_checkpoint_month"], p["next_checkpoint_pct"], strict=True)
        ],
        "距下一节点尚需支出（万元）": p["to_next_checkpoint"],
        "超预算": p["overspent"].map({True: "是", False: ""}),
        "判定依据": p["execution_reason"],
        "light": p["execution_light"],
        "project_code": p["code"],
    })
    out["_sev"] = out["light"].map(SEVERITY)
    out = out.sort_values(["偏差（百分点）", "_sev"], ascending=[True, False], kind="stable", na_position="last")
    order = ["灯", "项目名称", "预算数（万元）", "累计支出（万元）", "执行率（%）", "计划应达（%）", "偏差（百分点）",
             "偏差金额（万元）", "下一节点", "距下一节点尚需支出（万元）", "全年预计·按计划（万元）",
             "全年预计·按月均（万元）", "全年预计·负责人（万元）", "预计结余（万元）", "序时进度（%）", "比值", "超预算",
             "判定依据", "序号", "light", "project_code"]
    return out[order].reset_index(drop=True)


def department_plan_curve(plans: pd.DataFrame, steps: Iterable[float] | None = None,
                          method: str = "linear") -> list[tuple[float, float]]:
    """The department's plan (budget-weighted expected %, 0–100) at each month 0..12.

    ``plans``: rows (project_id, budget, month, pct) as in ``queries/views/department_plans.sql``.
    Each project's expectation is :func:`perfwatch.plan.expected_pct_at` (the engine's rule).
    """
    points = list(steps) if steps is not None else [m / 4 for m in range(0, 49)]
    if plans.empty:
        return [(t, 100.0 * t / 12) for t in points]
    projects: list[tuple[float, list[tuple[int, float]]]] = []
    for _pid, grp in plans.groupby("project_id", sort=True):
        cps = [(int(m), float(c)) for m, c in zip(grp["month"], grp["pct"], strict=True) if not is_missing(m)]
        projects.append((float(grp["budget"].iloc[0]), normalise(cps)))
    budget = sum(b for b, _ in projects)
    curve = []
    for t in points:
        if budget > 0:
            curve.append((t, sum(b * expected_pct_at(cps, t, method) for b, cps in projects) / budget))
        else:
            curve.append((t, 100.0 * t / 12))
    return curve


# ---------------------------------------------------------------- indicators


INDICATOR_COLUMNS = {
    "project_name": "项目",
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "三级指标",
    "target_text": "年度指标值",
    "actual": "实际完成",
    "expected": "当前应达",
    "灯": "灯",
    "reason": "判定依据",
    "likelihood": "完成可能性",
    "projected_text": "全年预计完成",
    "偏差原因": "偏差原因",
    "measure": "纠偏措施",
    "result_as_of": "填报截至",
}


def indicator_table(indicators: pd.DataFrame) -> pd.DataFrame:
    """Every indicator with target, actual, expected, light, likelihood, cause and measure."""
    ind = indicators.copy()
    ind["灯"] = ind["light"].map(LIGHT_NAMES)
    ind["偏差原因"] = [causes_text(c, t) for c, t in zip(ind["cause_categories"], ind["cause_text"], strict=True)]
    ind["project_name"] = ind["project_name"].where(
        ind["project_name"].notna(), "部门整体·分项目标" + ind["sub_goal_seq"].astype("Int64").astype(str)
    )
    out = ind[list(INDICATOR_COLUMNS)].rename(columns=INDICATOR_COLUMNS)
    out["light"] = ind["light"].values
    return out


def filter_indicators(
    indicators: pd.DataFrame,
    *,
    projects: Iterable[str] = (),
    level1: Iterable[str] = (),
    level2: Iterable[str] = (),
    lights: Iterable[str] = (),
) -> pd.DataFrame:
    """Indicators matching every non-empty filter (project codes, 一级/二级指标, lights)."""
    mask = pd.Series(True, index=indicators.index)
    for col, values in (("project_code", projects), ("level1", level1), ("level2", level2), ("light", lights)):
        values = list(values)
        if values:
            mask &= indicators[col].isin(values)
    return indicators[mask]


# ---------------------------------------------------------------- departments


def department_ranking(status: Status) -> pd.DataFrame:
    """Departments ranked by deviation (percentage points below plan, worst first) with light counts."""
    d = status.departments
    if d.empty:
        return pd.DataFrame()
    out = pd.DataFrame({
        "部门编码": d["department_code"],
        "部门名称": d["department_name"],
        "灯": d["light"].map(LIGHT_NAMES),
        "预算数（万元）": d["budget"],
        "累计支出（万元）": d["spent"],
        "执行率（%）": d["execution_pct"],
        "计划应达（%）": d["expected_pct"],
        "偏差（百分点）": d["gap_pp"],
        "比值": d["ratio"],
        "项目数": d["n_projects"],
        **{f"项目{LIGHT_NAMES[light]}": d[f"projects_{light}"] for light in LIGHT_ORDER},
        **{f"指标{LIGHT_NAMES[light]}": d[f"indicators_{light}"] for light in LIGHT_ORDER},
        "判定依据": d["execution_reason"],
        "light": d["light"],
        "department_id": d["department_id"],
    })
    out = out.sort_values(["偏差（百分点）", "部门编码"], ascending=[True, True], kind="stable", na_position="last")
    return out.reset_index(drop=True)


# ---------------------------------------------------------------- workbooks


def drop_internal(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame without the machine columns (light, project_code, department_id) for display/export."""
    return frame.drop(columns=[c for c in ("light", "project_code", "department_id") if c in frame.columns])


def blank_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing values in text columns shown as empty cells instead of "None" (numbers untouched)."""
    out = frame.copy()
    for col in out.columns:
        text = out[col]
        if (text.dtype == object or pd.api.types.is_string_dtype(text)) and text.hasnans:
            out[col] = text.fillna("")  # only columns with a gap: most have none
    return out

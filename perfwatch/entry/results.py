"""Indicator results: input, validation (the required-cause rule), the light shown beside the
form, saving and the current results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import duckdb
import pandas as pd

from perfwatch import db, limits, review
from perfwatch.audit_labels import actor_label
from perfwatch.cells import is_missing
from perfwatch.entry.common import (
    RESULT_FIELD_LABELS,
    RESULT_FIELDS,
    ConflictError,
    EntryValidationError,
    Indicator,
    SaveResult,
    _Batches,
    _fmt_time,
    _today,
    indicators_all,
    needs_explanation,
)
from perfwatch.entry.locks import _check_lock
from perfwatch.periods import month_start
from perfwatch.store import Actor, authorize, transaction
from perfwatch.vocab import CAUSE_CATEGORIES, LIGHT_NAMES, LIKELIHOODS, RATINGS, is_lagging, normalise_light


@dataclass(frozen=True)
class ResultInput:
    """One indicator result as entered. ``base_id``: the current row for (indicator, as_of) the
    entry was based on (None = none); ``check_base=False`` skips the conflict check (CLI)."""

    indicator_id: int
    as_of: dt.date
    value: float | None = None
    done_date: dt.date | None = None
    rating: str | None = None
    projected_text: str | None = None
    projected_value: float | None = None
    cause_categories: tuple[str, ...] = ()
    cause_text: str | None = None
    likelihood: str | None = None
    measure: str | None = None
    note: str | None = None
    base_id: int | None = None
    check_base: bool = True

    def fields(self) -> dict[str, Any]:
        return {
            "value": self.value, "done_date": self.done_date, "rating": self.rating,
            "projected_text": self.projected_text, "projected_value": self.projected_value,
            "cause_categories": list(self.cause_categories) or None, "cause_text": self.cause_text,
            "likelihood": self.likelihood, "measure": self.measure, "note": self.note,
        }


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)


def clean_input(inp: ResultInput) -> ResultInput:
    """Strip text fields and turn empty strings into None."""
    def s(v: str | None) -> str | None:
        return None if _blank(v) else str(v).strip()
    return replace(inp, projected_text=s(inp.projected_text), cause_text=s(inp.cause_text), likelihood=s(inp.likelihood),
                   measure=s(inp.measure), note=s(inp.note), rating=s(inp.rating),
                   cause_categories=tuple(dict.fromkeys(c.strip() for c in inp.cause_categories if c and c.strip())))


def indicator_light(conn: duckdb.DuckDBPyConnection, ind: Indicator, inp: ResultInput | None,
                    as_of: dt.date | None = None) -> str | None:
    """The light the indicator would show with ``inp`` as its result (see :func:`light_and_reason`)."""
    return light_and_reason(conn, ind, inp, as_of)[0]


def light_and_reason(conn: duckdb.DuckDBPyConnection, ind: Indicator, inp: ResultInput | None,
                     as_of: dt.date | None = None) -> tuple[str | None, str | None]:
    """(light, reason) of the indicator at ``as_of`` (default ``inp.as_of``) with ``inp`` as its
    latest result (None = no result): the one judgement, :func:`perfwatch.status.indicator_light`, fed
    with the engine's own figures (rules in force, milestones, and for cost indicators the project's
    spend, projection and budget from :func:`perfwatch.status.project_figures`), so the entry form
    shows the light the dashboard shows.
    """
    when = as_of or (inp.as_of if inp is not None else None)
    if when is None:
        return None, None
    return lights_and_reasons(conn, [(ind, inp)], when)[ind.id]


def lights_and_reasons(conn: duckdb.DuckDBPyConnection, items: Sequence[tuple[Indicator, ResultInput | None]],
                       as_of: dt.date, *, figures_of: Mapping[int, Mapping[int, Mapping[str, Any]]] | None = None,
                       ) -> dict[int, tuple[str | None, str | None]]:
    """:func:`light_and_reason` of several indicators at ``as_of`` (indicator id → (light, reason)),
    reading the rules once, the milestones in one query and the engine's project figures once per
    department (a page of 20 indicators: one engine run, not 20). ``figures_of``: department id →
    :func:`perfwatch.status.project_figures` at ``as_of`` when the caller already has them (a cached read)."""
    from perfwatch import status
    from perfwatch.settings import load_rules

    if not items:
        return {}
    rules = load_rules(conn)
    milestones: dict[int, list[tuple[int, float]]] = {}
    ids = [ind.id for ind, _ in items]
    for ind_id, month, value in db.query(conn, "entry/milestones_of_indicators", {"indicator_ids": ids}):
        milestones.setdefault(int(ind_id), []).append((int(month), float(value)))
    known: dict[int, Mapping[int, Mapping[str, Any]]] = dict(figures_of or {})
    out: dict[int, tuple[str | None, str | None]] = {}
    for ind, inp in items:
        figures: Mapping[str, Any] = {}
        if ind.project_id is not None:
            if ind.department_id not in known:
                known[ind.department_id] = status.project_figures(conn, as_of, ind.department_id, rules)
            figures = known[ind.department_id].get(ind.project_id, {})
        facts = status.IndicatorFacts(
            kind=ind.kind, comparator=ind.comparator, target=ind.value, unit=ind.unit, target_text=ind.target_text,
            level2=ind.level2, level3=ind.level3, deadline=ind.deadline, fiscal_year=ind.fiscal_year,
            milestones=tuple(milestones.get(ind.id, ())), nature=ind.nature,
            result_as_of=None if inp is None else inp.as_of,
            actual=None if inp is None else inp.value,
            done_date=None if inp is None else inp.done_date,
            rating=None if inp is None else inp.rating,
            likelihood=None if inp is None else inp.likelihood,
            projected_value=None if inp is None else inp.projected_value,
            project_spent=figures.get("spent", 0.0) if ind.project_id is not None else None,
            project_projection=figures.get("projection"),
            project_projection_source=figures.get("projection_source"),
            project_budget=figures.get("budget"),
        )
        out[ind.id] = status.indicator_light(facts, as_of, rules)
    return out


def validate_result(
    ind: Indicator,
    inp: ResultInput,
    *,
    light: str | None = None,
    today: dt.date | None = None,
) -> list[tuple[str, str]]:
    """Every problem of one result as (field, Chinese message); empty = it may be saved.

    ``light`` is the light the indicator shows with this result (see :func:`indicator_light`).
    """
    t = _today(today)
    out: list[tuple[str, str]] = []
    if ind.retired:
        out.append(("indicator", "该指标已停用，不能再填报。"))
    if inp.as_of.year != ind.fiscal_year:
        out.append(("as_of", f"截止日期 {inp.as_of.isoformat()} 不在预算年度 {ind.fiscal_year} 年内。"))
    elif inp.as_of > t:
        out.append(("as_of", f"截止日期 {inp.as_of.isoformat()} 在未来（今天是 {t.isoformat()}）。"))
    kind = ind.value_kind
    if kind == "number":
        if inp.value is None:
            out.append(("value", "请填写截至目前的完成值（数字）。"))
        elif inp.value != inp.value or inp.value in (float("inf"), float("-inf")):
            out.append(("value", "完成值不是有效数字。"))
        elif inp.value < 0:
            out.append(("value", f"完成值不能为负数（{inp.value:g}）。"))
        elif ind.is_percent and inp.value > 100 and (ind.value is None or ind.value <= 100):
            out.append(("value", f"完成值 {inp.value:g}% 超过 100%：百分比指标的完成值须在 0–100 之间"
                                 "（只有数量类指标可以超过 100）。"))
        elif implausible := limits.result_problem(inp.value, is_percent=ind.is_percent, target=ind.value):
            out.append(("value", implausible))
        if inp.rating is not None:
            out.append(("rating", "数值类指标不填写完成评价。"))
    elif kind == "rating":
        if inp.rating is None:
            out.append(("rating", f"定性指标请选择完成评价（{'/'.join(RATINGS)}）。"))
        elif inp.rating not in RATINGS:
            out.append(("rating", f"完成评价须为 {'/'.join(RATINGS)} 之一，收到：{inp.rating}。"))
        if inp.value is not None:
            out.append(("value", "定性指标不填写数值，请选择完成评价。"))
    else:  # deadline
        if inp.done_date is not None:
            if inp.done_date > t:
                out.append(("done_date", f"完成日期 {inp.done_date.isoformat()} 在未来。"))
            elif inp.done_date > inp.as_of:
                out.append(("done_date", f"完成日期 {inp.done_date.isoformat()} 晚于截止日期 {inp.as_of.isoformat()}。"))
            elif inp.done_date.year != ind.fiscal_year:
                out.append(("done_date", f"完成日期 {inp.done_date.isoformat()} 不在预算年度 {ind.fiscal_year} 年内。"))
        elif inp.likelihood is None:
            out.append(("likelihood", "尚未完成的时限类指标，请选择完成目标可能性。"))
    if inp.likelihood is not None and inp.likelihood not in LIKELIHOODS:
        out.append(("likelihood", f"完成目标可能性须为 {'/'.join(LIKELIHOODS)} 之一，收到：{inp.likelihood}。"))
    bad = [c for c in inp.cause_categories if c not in CAUSE_CATEGORIES]
    if bad:
        out.append(("cause_categories", f"偏差原因类别须为 {'/'.join(CAUSE_CATEGORIES)}，收到：{'、'.join(bad)}。"))
    if inp.projected_value is not None and inp.projected_value < 0:
        out.append(("projected_value", "全年预计完成值不能为负数。"))
    if needs_explanation(light, inp.likelihood):
        why = []
        if is_lagging(light):
            why.append(f"指标为{LIGHT_NAMES[normalise_light(light) or 'yellow']}")
        if inp.likelihood in ("有可能", "完全不可能"):
            why.append(f"完成目标可能性为“{inp.likelihood}”")
        reason = "、".join(why)
        # DOMAIN.md §5a: a cause category AND a 原因说明 sentence, a 纠偏措施 and 全年预计完成情况.
        if not inp.cause_categories:
            out.append(("cause_categories", f"{reason}，必须选择偏差原因类别。"))
        if inp.cause_text is None:
            out.append(("cause_text", f"{reason}，必须填写原因说明（一句话说明偏差原因）。"))
        if inp.measure is None:
            out.append(("measure", f"{reason}，必须填写纠偏措施。"))
        if inp.projected_text is None and inp.projected_value is None:
            out.append(("projected_text", f"{reason}，必须填写全年预计完成情况（预计全年完成值或一句话说明）。"))
    elif inp.cause_categories and inp.cause_text is None:
        out.append(("cause_text", "勾选了偏差原因类别，请用一句话说明具体原因。"))
    return out


def _authorize_indicator(conn: duckdb.DuckDBPyConnection, actor: Actor, indicator_id: int) -> int | None:
    """Check the actor may report this indicator (an owner: only assigned projects); return its project."""
    rows = db.query(conn, "store/indicator_project", {"indicator_id": indicator_id})
    if not rows:
        raise EntryValidationError([f"指标编号 {indicator_id} 不存在。"])
    project_id = None if rows[0][0] is None else int(rows[0][0])
    authorize(actor, "result.record", project_id=project_id)
    return project_id


def _same_result(current: tuple[Any, ...], fields: Mapping[str, Any]) -> bool:
    old = dict(zip(RESULT_FIELDS, current[1:11], strict=False))
    for k in RESULT_FIELDS:
        a, b = old[k], fields[k]
        if k == "cause_categories":
            a, b = list(a or []), list(b or [])
        if isinstance(a, float) or isinstance(b, float):
            if a is None or b is None or abs(float(a) - float(b)) > 1e-9:
                return False
            continue
        if a != b:
            return False
    return True


def _result_conflict(ind: Indicator | str, as_of: dt.date, current: tuple[Any, ...] | None) -> ConflictError:
    label = ind if isinstance(ind, str) else ind.label
    if current is None:
        return ConflictError(f"{label} 截至 {as_of.isoformat()} 的填报已被他人更改，你的修改未保存。请刷新后重试。")
    return ConflictError(f"{label} 截至 {as_of.isoformat()} 的填报已被 {current[11]} 于 {_fmt_time(current[12])} 修改，"
                         "你的修改未保存。请刷新后核对再保存。", current[11], current[12])


def save_results(
    conn: duckdb.DuckDBPyConnection,
    actor: Actor,
    inputs: Sequence[ResultInput],
    *,
    source: str = "form",
    today: dt.date | None = None,
) -> SaveResult:
    """Validate and append indicator results in one transaction: all of them, or none.

    Refuses (nothing written) anything :func:`validate_result` objects to -- including the
    required-cause rule -- locked months and conflicts.
    """
    result = SaveResult()
    if not inputs:
        return result
    # Every project touched is authorised first: a refused actor learns nothing about the values.
    project_ids = [_authorize_indicator(conn, actor, inp.indicator_id) for inp in inputs]
    inds = {i.id: i for i in indicators_all(conn)}
    problems: list[str] = []
    cleaned: list[ResultInput] = []
    for raw in inputs:
        inp = clean_input(raw)
        ind = inds.get(inp.indicator_id)
        if ind is None:
            problems.append(f"指标编号 {inp.indicator_id} 不存在。")
            continue
        light = indicator_light(conn, ind, inp)
        for fname, msg in validate_result(ind, inp, light=light, today=today):
            problems.append(f"{ind.label} · {RESULT_FIELD_LABELS.get(fname, fname)}：{msg}")
        cleaned.append(inp)
    if problems:
        raise EntryValidationError(problems)
    with transaction(conn, actor, "result.record", project_ids=project_ids) as tx:
        batches = _Batches(tx, "result", source)
        for inp in cleaned:
            ind = inds[inp.indicator_id]
            _check_lock(tx, ind.department_id, inp.as_of, ind.label)
            if ind.project_id is not None:  # the project's round: submitted (owner) or approved
                review.check_editable(tx, ind.project_id, inp.as_of, f"{ind.label}的填报")
            current = tx.one("entry/current_result_full", {"indicator_id": ind.id, "as_of": inp.as_of})
            current_id = None if current is None else int(current[0])
            if inp.check_base and current_id != inp.base_id:
                raise _result_conflict(ind, inp.as_of, current)
            fields = inp.fields()
            if current is not None and _same_result(current, fields):
                result.unchanged += 1
                continue
            row = tx.one("store/insert_result", {"indicator_id": ind.id, "as_of": inp.as_of, **fields,
                                                 "entered_by": actor.username})
            assert row is not None
            tx.audit("indicator_results", row[0],
                     None if current is None else {**dict(zip(RESULT_FIELDS, current[1:11], strict=False)), "id": current_id},
                     {"indicator_id": ind.id, "as_of": inp.as_of, **fields, "source": source})
            batches.add(ind.department_id, int(row[0]))
            result.row_ids.append(int(row[0]))
            result.written += 1
        result.batch_ids = sorted(batches.ids.values())
    return result


@dataclass(frozen=True)
class CurrentResult:
    """The latest result of an indicator on or before the reporting date."""

    id: int
    as_of: dt.date
    fields: dict[str, Any]
    entered_by: str
    entered_at: dt.datetime
    in_period: bool


def current_results(conn: duckdb.DuckDBPyConnection, department_id: int, as_of: dt.date) -> dict[int, CurrentResult]:
    """indicator id -> its latest result dated on or before ``as_of``; ``in_period`` = dated in
    the month of ``as_of`` (the form's base row when its as_of equals the reporting date)."""
    rows = db.query(conn, "entry/results_latest_of_department",
                    {"department_id": department_id, "date_from": month_start(as_of), "as_of": as_of})
    return {int(r[0]): CurrentResult(int(r[1]), r[2], dict(zip(RESULT_FIELDS, r[3:13], strict=False)), r[13], r[14], bool(r[15]))
            for r in rows}


def result_history(conn: duckdb.DuckDBPyConnection, department_id: int) -> pd.DataFrame:
    f = db.query_df(conn, "entry/result_history", {"department_id": department_id})
    def value_text(r: Any) -> str:
        if not is_missing(r.rating):  # pandas gives NaN, not None, for a missing text cell
            return str(r.rating)
        if not is_missing(r.done_date):
            return f"完成于 {pd.Timestamp(r.done_date).date().isoformat()}"
        if not is_missing(r.value):
            return f"{r.value:g}"
        return "（空）"
    return pd.DataFrame({
        "记录号": f["id"].astype("Int64"),
        "项目": f["project_name"],
        "三级指标": f["level3"],
        "截止日期": [pd.Timestamp(d).date().isoformat() for d in f["as_of"]],
        "完成情况": [value_text(r) for r in f.itertuples()],
        "完成可能性": f["likelihood"],
        "纠偏措施": f["measure"],
        "填报人": f["entered_by"].map(actor_label),
        "时间": [_fmt_time(t) for t in f["entered_at"]],
        "当前值": f["is_current"],
    })

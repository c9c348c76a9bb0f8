"""One project's monitoring round as the 项目填报 page shows it: spend pace, the owner's
declaration, every indicator with its light and current result, 佐证材料 and the review state.

:func:`load` gathers it in one call (the page draws it); :func:`save_results` is the indicator
part of the page's writes: the round's review state first, then :func:`perfwatch.entry.save_results`
(the same validation, lights and audit as 指标填报). No streamlit here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from perfwatch import attachments, declarations, entry, review
from perfwatch.cells import is_missing
from perfwatch.store import Actor, may
from perfwatch.vocab import light_name

if TYPE_CHECKING:
    from perfwatch.status import Status


@dataclass(frozen=True)
class Pace:
    budget: float
    spent: float
    execution_pct: float | None
    expected_pct: float | None
    light: str | None
    reason: str


@dataclass(frozen=True)
class IndicatorRow:
    indicator: entry.Indicator
    current: entry.CurrentResult | None
    light: str | None
    reason: str | None
    # 本期未更新 with the latest result and its date when older than the reporting month, as the page
    # prints it beside the indicator (perfwatch.entry.stale_note, the same words as 指标填报)
    stale_note: str | None = None


@dataclass(frozen=True)
class RoundView:
    project: entry.Project
    as_of: dt.date
    pace: Pace
    declaration: declarations.Current
    state: str
    state_label: str
    state_comment: str | None
    history: pd.DataFrame
    indicators: list[IndicatorRow]
    attachments: pd.DataFrame
    can_edit: bool         # the actor may change the declaration, results and files now
    can_record_results: bool  # result.record: indicator results are the owner's (finance reads them here)
    can_attach: bool       # round.attach, while the round is editable
    can_submit: bool
    can_review: bool       # approve / send back
    read_only_reason: str | None

    @property
    def cause_required(self) -> str | None:
        """The sentence saying why 支出偏差原因 and 纠偏措施 are required (yellow/red pace), else None."""
        if self.pace.light not in declarations.NEEDS_CAUSE:
            return None
        return f"支出进度为{light_name(self.pace.light)}：必须选择偏差原因类别、说明原因并填写纠偏措施。"

    def files_of(self, indicator_id: int | None) -> pd.DataFrame:
        """Attachments of the declaration (None) or of one indicator."""
        if self.attachments.empty:
            return self.attachments
        mask = self.attachments["indicator_id"].isna() if indicator_id is None \
            else self.attachments["indicator_id"] == indicator_id
        return self.attachments[mask]


def projects_for(conn: duckdb.DuckDBPyConnection, actor: Actor, department_id: int) -> list[entry.Project]:
    """The active projects of a department the actor may open (an owner: the assigned ones)."""
    return [p for p in entry.projects_all(conn) if p.department_id == department_id and not p.retired
            and (actor.role != "owner" or actor.project_ids is None or p.id in actor.project_ids)]


def _pace(conn: duckdb.DuckDBPyConnection, project: entry.Project, as_of: dt.date,
          status: Status | None = None) -> Pace:
    """The project's spend pace from the engine: ``status`` when the caller has it (the page's
    cached read of the department at ``as_of``), else computed here."""
    from perfwatch.status import compute_status

    frame = (status if status is not None else compute_status(conn, as_of, department_id=project.department_id)).projects
    rows = frame[frame["project_id"] == project.id].to_dict("records")
    if not rows:
        return Pace(float(project.budget), 0.0, None, None, None, "")
    r = rows[0]

    def opt(v: Any) -> float | None:
        return None if v is None or pd.isna(v) else float(v)

    return Pace(float(r["budget"]), float(r["spent"]), opt(r["execution_pct"]), opt(r["expected_pct"]),
                str(r["execution_light"]), str(r["execution_reason"] or ""))


def _engine_lights(status: Status, project_id: int) -> dict[int, tuple[str | None, str | None]]:
    """indicator id -> (light, reason) of the project's indicators in the engine's Status."""
    f = status.indicators
    mine = f[f["project_id"] == project_id]
    return {int(i): (None if is_missing(light) else str(light), None if is_missing(why) else str(why))
            for i, light, why in zip(mine["indicator_id"], mine["light"], mine["reason"], strict=True)}


def load(conn: duckdb.DuckDBPyConnection, actor: Actor, project_id: int, as_of: dt.date,
         status: Status | None = None) -> RoundView:
    """The project's round at ``as_of``. ``status``: the engine's Status of the project's department
    at ``as_of`` when the caller already has it (the page passes its cached read, so a rerun does
    not run the engine again); the pace and every indicator's light then come from it, else from
    the engine run here -- the one judgement either way."""
    project = next(p for p in entry.projects_all(conn) if p.id == project_id)
    when = review.round_date(as_of)
    state = review.state_of(conn, project_id, when)
    states = review.states(conn, project.department_id, when)
    mine = states[states["project_id"] == project_id].to_dict("records")
    comment = str(mine[0]["comment"]) if mine and mine[0]["comment"] else None
    writer = may(actor, "round.declare") and actor.role != "system"
    reason: str | None = None
    if not writer:
        reason = f"当前身份：{actor.label}，只能查看。项目负责人和财务可以填报。"
    elif state == "approved":
        reason = "本期填报已审核，不能再修改；如需更正，请财务先退回。"
    elif state == "submitted" and actor.role == "owner":
        reason = "本期填报已提交审核，等待财务审核；如需更正，请财务退回。"
    inds = entry.indicators_of(conn, project.department_id, project_id)
    current = entry.current_results(conn, project.department_id, as_of)
    engine = {} if status is None else _engine_lights(status, project_id)
    rows = []
    for ind in inds:
        cur = current.get(ind.id)
        if ind.id in engine:
            light, why = engine[ind.id]
        else:
            inp = None if cur is None else entry.ResultInput(
                ind.id, cur.as_of, value=cur.fields["value"], done_date=cur.fields["done_date"],
                rating=cur.fields["rating"], projected_value=cur.fields["projected_value"],
                likelihood=cur.fields["likelihood"])
            light, why = entry.light_and_reason(conn, ind, inp, as_of)
        rows.append(IndicatorRow(ind, cur, light, why, entry.stale_note(ind, cur, as_of)))
    return RoundView(
        project=project, as_of=when, pace=_pace(conn, project, as_of, status),
        declaration=declarations.of_project(conn, project_id, when),
        state=state, state_label=review.STATE_LABELS[state], state_comment=comment,
        history=review.history(conn, project_id, when), indicators=rows,
        attachments=attachments.of_project(conn, project_id, when),
        can_edit=reason is None,
        can_record_results=may(actor, "result.record"),
        can_attach=reason is None and may(actor, "round.attach"),
        can_submit=may(actor, "round.submit") and actor.role != "system" and state in ("draft", "returned"),
        can_review=may(actor, "round.review") and state in ("submitted", "approved"),
        read_only_reason=reason,
    )


def save_results(conn: duckdb.DuckDBPyConnection, actor: Actor, inputs: Sequence[entry.ResultInput]) -> entry.SaveResult:
    """Indicator results of the page, through :func:`perfwatch.entry.save_results` (the same
    validation, lights, round-state check and audit as 指标填报)."""
    return entry.save_results(conn, actor, inputs, source="项目填报")

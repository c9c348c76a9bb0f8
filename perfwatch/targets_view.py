"""Read side of the published targets, shaped for display (no streamlit here)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import pandas as pd

from perfwatch.indicator_edit import CountEdit
from perfwatch.views import money
from perfwatch.vocab import NATURE_LABELS

KIND_LABELS: dict[str, str] = {
    "count": "数量（≥）",
    "rate": "比率（≥/=）",
    "ceiling": "上限（≤）",
    "zero": "零目标",
    "cost": "成本上限",
    "deadline": "时限",
    "qualitative": "定性",
}


def indicator_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Indicators with Chinese column names, in published order."""
    out = frame.rename(
        columns={
            "level1": "一级指标",
            "level2": "二级指标",
            "level3": "三级指标",
            "description": "绩效指标描述",
            "target_text": "指标值",
            "basis": "指标值确定依据",
            "kind": "类型",
        }
    )
    out["类型"] = out["类型"].map(KIND_LABELS).fillna(out["类型"])
    return out[["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "类型", "指标值确定依据"]]


SEVERITY_LABELS: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}


def preview_frames(data: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """A parsed dataset as the tables the import page previews (Chinese headers)."""
    projects = data["projects"]
    depts = data["departments"]
    proj = pd.DataFrame(
        [
            {
                "序号": p.get("seq"), "项目编码": p["code"], "项目名称": p["name"],
                "预算数（万元）": money(p["budget"]), "财政资金": money(p.get("fiscal_funds")),
                "其他资金": money(p.get("other_funds")),
                "支出计划": " / ".join(f"{c['month']}月 {c['pct']:g}%" for c in p["plan"]),
                "绩效目标数": len(p.get("goals") or []), "指标数": len(p.get("indicators") or []),
            }
            for p in projects
        ]
    )
    inds = pd.DataFrame(
        [
            {"项目": p["name"], "一级指标": i.get("level1"), "二级指标": i.get("level2"), "三级指标": i["level3"],
             "绩效指标描述": i.get("description"), "指标值": i["target_text"],
             "类型": KIND_LABELS.get(i["kind"], i["kind"]), "指标值确定依据": i.get("basis")}
            for p in projects for i in p.get("indicators") or []
        ]
    )
    subs = pd.DataFrame(
        [
            {"分项目标": f"{sg['seq']}. {sg['title']}", "绩效指标": i["level3"], "指标值": i["target_text"],
             "类型": KIND_LABELS.get(i["kind"], i["kind"])}
            for d in depts for sg in d.get("sub_goals") or [] for i in sg.get("indicators") or []
        ]
    )
    return {"projects": proj, "indicators": inds, "sub_goals": subs}


class _Finding(Protocol):
    """What the import review needs of a parser finding (perfwatch.importers' ``Finding``)."""

    @property
    def severity(self) -> str: ...
    @property
    def where(self) -> str: ...
    @property
    def line(self) -> int | None: ...
    @property
    def message(self) -> str: ...


def findings_frame(findings: Sequence[_Finding]) -> pd.DataFrame:
    """Review findings as a table: 级别, 位置, 行号, 说明."""
    return pd.DataFrame(
        [
            {"级别": SEVERITY_LABELS.get(f.severity, f.severity), "位置": f.where,
             "行号": f.line, "说明": f.message}
            for f in findings
        ],
        columns=["级别", "位置", "行号", "说明"],
    )


# The targets page's editor of count natures and milestones (DOMAIN §5a).
COUNT_EDIT_COLUMNS: dict[str, str] = {
    "indicator_id": "编号", "owner": "项目/分项目标", "seq": "序号", "level3": "三级指标", "target_text": "指标值",
    "nature": "性质", "milestones": "里程碑",
}
COUNT_EDITABLE = ("性质", "里程碑")


def count_settings_table(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`perfwatch.indicator_edit.count_settings` with Chinese headers; the nature as its label
    (an empty text when not set: judged as 流量), the milestones as text ("3月:2;6月:4", empty when
    none). Empty texts, not None: the editor grid would show a missing cell as "None"."""
    out = frame[list(COUNT_EDIT_COLUMNS)].rename(columns=COUNT_EDIT_COLUMNS).copy()
    out["性质"] = [NATURE_LABELS.get(n, "") if isinstance(n, str) else "" for n in frame["nature"]]
    out["里程碑"] = [m or "" for m in frame["milestones"]]
    return out.astype({"性质": object, "里程碑": object})


def count_edits(shown: Sequence[dict[str, Any]], edited: Sequence[dict[str, Any]]) -> list[CountEdit]:
    """The rows of the editor a person changed (性质 or 里程碑), as :class:`CountEdit` values."""

    def blank(v: Any) -> str | None:
        return None if v is None or (isinstance(v, float) and v != v) or not str(v).strip() else str(v).strip()

    out = []
    for before, after in zip(shown, edited, strict=True):
        if any(blank(before[c]) != blank(after[c]) for c in COUNT_EDITABLE):
            out.append(CountEdit(int(after["编号"]), blank(after["性质"]), blank(after["里程碑"])))
    return out

"""Read side of the published targets, shaped for display (no streamlit here)."""

from __future__ import annotations

import pandas as pd

KIND_LABELS: dict[str, str] = {
    "count": "数量（≥）",
    "rate": "比率（≥/=）",
    "ceiling": "上限（≤）",
    "zero": "零目标",
    "cost": "成本上限",
    "deadline": "时限",
    "qualitative": "定性",
}


def money(value: object) -> str:
    """An amount in 万元 with two decimals, e.g. 122.90."""
    return "—" if value is None or (isinstance(value, float) and pd.isna(value)) else f"{float(value):,.2f}"  # type: ignore[arg-type]


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

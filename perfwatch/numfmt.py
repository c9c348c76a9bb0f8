"""One number format and one rounding for the screen, Excel and PDF.

Amounts (万元) and rates (%) are shown with 2 decimals, rounded half-up on the number as people
read it (its shortest decimal form): 2.175 -> 2.18, 2.165 -> 2.17, -2.175 -> -2.18. Python's
``round`` and ``f"{x:.2f}"`` round the binary float (2.175 is stored as 2.17499…, so they give
2.17) and JavaScript's ``toFixed`` does the same, while Excel shows 2.18: every place that shows or
stores a rounded figure calls :func:`round2` (numbers) or the formatters below (text), so the
screen, the monitoring form (xlsx) and the briefing (pdf) agree.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import pandas as pd

MISSING = "—"


def _number(value: Any) -> float | None:
    """A finite float from anything numeric; None for None, NaN, NA, inf or text."""
    if value is None or isinstance(value, bool) or value is pd.NA or value is pd.NaT:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def round_half_up(value: Any, digits: int = 2) -> float | None:
    """``value`` rounded half-up to ``digits`` decimals on its shortest decimal form; None when missing."""
    x = _number(value)
    if x is None:
        return None
    try:
        d = Decimal(repr(x)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # pragma: no cover - finite floats always quantize at 2 digits
        return x
    out = float(d)
    return 0.0 if out == 0 else out  # no "-0.00"


def round2(value: Any) -> float | None:
    """Two decimals, half-up (万元 and %)."""
    return round_half_up(value, 2)


def money(value: Any, missing: str = MISSING) -> str:
    """万元 with 2 decimals and thousands separators: "1,234.57"; ``missing`` when there is none."""
    x = round2(value)
    return missing if x is None else f"{x:,.2f}"


def pct(value: Any, missing: str = MISSING, digits: int = 2) -> str:
    """A percentage 0–100: "38.12%"; ``missing`` when there is none."""
    x = round_half_up(value, digits)
    return missing if x is None else f"{x:.{digits}f}%"


def pp(value: Any, missing: str = MISSING) -> str:
    """Percentage points with a sign: "−18.13 个百分点" ("+0.00" for zero)."""
    x = round2(value)
    return missing if x is None else f"{x:+.2f} 个百分点"


def number(value: Any, missing: str = MISSING) -> str:
    """Two decimals, half-up, no thousands separator: "2.18"."""
    x = round2(value)
    return missing if x is None else f"{x:.2f}"


def round_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every float column rounded half-up to 2 decimals (tables on screen and in xlsx:
    the browser's and Excel's own 2-decimal display then show the same digits)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].map(round2).astype("float64")
    return out

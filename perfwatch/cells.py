"""Table cells as Python numbers, typed: DataFrame rows hold numpy, Decimal or Python numbers.

pandas types a cell as any scalar (text, dates, numbers…); these helpers say "this column is numeric"
once, check it, and give mypy an ``int``/``float``. A non-number is a bug upstream, so it raises.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

_NUMBERS = (int, float, Decimal, np.integer, np.floating, np.bool_)


def is_missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA (a cell with no value); anything pandas cannot judge counts as present."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def as_int(value: object) -> int:
    """A numeric cell as ``int`` (truncated like ``int()``); NaN or a non-number raises."""
    if isinstance(value, _NUMBERS):
        return int(value)
    raise TypeError(f"expected a number, got {type(value).__name__}: {value!r}")


def as_float(value: object) -> float:
    """A numeric cell as ``float`` (NaN stays NaN); a non-number raises."""
    if isinstance(value, _NUMBERS):
        return float(value)
    raise TypeError(f"expected a number, got {type(value).__name__}: {value!r}")


def number_or_none(value: Any) -> float | None:
    """A float, or None for SQL NULL, NaN, pandas NA or anything that is not a number."""
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out

"""Public types of the targets parser: errors, findings, parsed values and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FORMAT = "perfwatch-targets/1"


# ---------------------------------------------------------------------------------------------
# Public types
# ---------------------------------------------------------------------------------------------


class TargetsParseError(Exception):
    """The text cannot be turned into a dataset; the message (zh-CN) names the line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class TargetValueError(ValueError):
    """A target value (指标值) that cannot be read, e.g. a comparator followed by a non-number."""


@dataclass(frozen=True)
class TargetValue:
    """One parsed target value, e.g. "≥80%" -> (">=", 80.0, "%", "rate", None)."""

    raw: str
    comparator: str  # ">=", "<=", "=", "deadline", "qualitative"
    value: float | None
    unit: str | None
    kind: str  # count, rate, ceiling, zero, cost, deadline, qualitative
    deadline: str | None  # "MM-DD" for deadline targets


@dataclass(frozen=True)
class Finding:
    """A review note about the document or about how the parser read it."""

    severity: str  # "error" | "warning" | "info"
    where: str
    message: str
    line: int | None = None


@dataclass
class ParseResult:
    """The dataset, its findings and, per project indicator, where it came from.

    ``rows`` holds one dict per project indicator in dataset order: project seq, index within the
    project, page and source lines, value form (kinds.VALUE_FORMS) and a nature guess.
    """

    data: dict[str, Any]
    findings: list[Finding] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)


def to_json(result: ParseResult) -> dict[str, Any]:
    """The dataset plus its findings, as printed by ``import-targets --format json``."""
    out = dict(result.data)
    out["findings"] = [{"severity": f.severity, "where": f.where, "message": f.message} for f in result.findings]
    return out


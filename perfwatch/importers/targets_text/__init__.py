"""Parse the text of a published 绩效目标 document into a perfwatch targets dataset.

Input is the plain text extracted from the PDF a county department publishes with its budget
(部门预算绩效目标): 第一部分 部门整体绩效目标 (prose) and 第二部分 预算项目绩效目标 (one table per
project). The output is the JSON object described in docs/dataset-format.md plus a list of review
findings (绩效目标审核): things a reviewer should look at, never silent fixes.

PDF extraction breaks table cells over lines, repeats the table header after page breaks, puts page
numbers and stray "。" lines between paragraphs and inserts spaces around digits. The parser works
on the structure of the format (label vocabulary, indicator vocabulary, the target-value pattern
that closes a row) rather than on the line layout of one particular file.

The parser runs in stages, one module each (each under 500 lines):

- ``lines``: vocabulary, text helpers, the numbered lines and the line-reader base (findings);
- ``blocks``: fiscal year, project titles, each project table's header block (code, name, funds, plan,
  goals); ``prose``: the department part (第一部分);
- ``cells``: indicator table lines -> items -> rows -> columns;
- ``values``: one 指标值 read into comparator, number, unit, kind and deadline;
- ``dataset``: the whole document assembled and reviewed (绩效目标审核).

Public names stay importable from ``perfwatch.importers.targets_text``.
"""

from __future__ import annotations

from perfwatch.importers.targets_text.dataset import parse_targets_text, review_dataset
from perfwatch.importers.targets_text.kinds import (
    VALUE_FORMS,
    ValueClass,
    classify_value,
    guess_nature,
)
from perfwatch.importers.targets_text.lines import (
    LEVEL1_TERMS,
    LEVEL2_TERMS,
    LEVEL2_TO_LEVEL1,
)
from perfwatch.importers.targets_text.model import (
    FORMAT,
    Finding,
    ParseResult,
    TargetsParseError,
    TargetValue,
    TargetValueError,
    to_json,
)
from perfwatch.importers.targets_text.values import parse_target_value

__all__ = [
    "FORMAT",
    "LEVEL1_TERMS",
    "LEVEL2_TERMS",
    "LEVEL2_TO_LEVEL1",
    "Finding",
    "ParseResult",
    "TargetValue",
    "TargetValueError",
    "TargetsParseError",
    "VALUE_FORMS",
    "ValueClass",
    "classify_value",
    "guess_nature",
    "parse_target_value",
    "parse_targets_text",
    "review_dataset",
    "to_json",
]

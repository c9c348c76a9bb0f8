"""Targets tables from Word (.docx, python-docx) and from spreadsheets that are not our template.

Both are turned into the same event stream as a ruled PDF (perfwatch.importers.targets_tables):
paragraphs are text lines, table rows are rows with ``None`` where a merged cell spans (Word's
horizontal and vertical merges, Excel's merged ranges). Pages do not exist in these formats:
a Word document counts as page 1 with its tables numbered; a workbook counts each sheet as a page.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from perfwatch.errors import ValidationError
from perfwatch.importers.targets_tables import (
    DEFAULT_PLAN,
    Event,
    Row,
    TextLine,
    parse_events,
)
from perfwatch.importers.targets_text import ParseResult, review_dataset


def docx_events(content: bytes, filename: str = "文件.docx") -> list[Event]:
    """Paragraphs and table rows of a .docx in document order."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(content))
    except Exception as exc:  # noqa: BLE001 - python-docx raises assorted errors on broken files
        raise ValidationError(f"{filename} 无法读取（不是有效的 Word .docx 文件）：{type(exc).__name__}") from exc
    events: list[Event] = []
    line = row_no = 0
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            if block.text.strip():
                line += 1
                events.append(TextLine(block.text.strip(), 1, line))
        elif isinstance(block, Table):
            above: list[Any] = []
            for r in block.rows:
                row_no += 1
                cells: list[str | None] = []
                seen: list[Any] = []
                for k, cell in enumerate(r.cells):
                    tc = cell._tc
                    merged_left = bool(seen) and seen[-1] is tc
                    merged_up = k < len(above) and above[k] is tc
                    cells.append(None if merged_left or merged_up else cell.text)
                    seen.append(tc)
                above = seen
                events.append(Row(tuple(cells), 1, row_no))
    return events


def sheet_events(content: bytes, filename: str = "文件.xlsx") -> list[Event]:
    """Rows of every sheet; merged ranges give their value to the top-left cell only."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), data_only=True)
    except Exception as exc:  # noqa: BLE001
        raise ValidationError(f"{filename} 无法读取（不是有效的 .xlsx 文件）：{type(exc).__name__}") from exc
    events: list[Event] = []
    for n, ws in enumerate(wb.worksheets, 1):
        covered: set[tuple[int, int]] = set()
        for rng in ws.merged_cells.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if (r, c) != (rng.min_row, rng.min_col):
                        covered.add((r, c))
        for r, row in enumerate(ws.iter_rows(values_only=True), 1):
            cells = tuple(
                None if (r, c) in covered or v is None else _cell_text(v) for c, v in enumerate(row, 1)
            )
            filled = [c for c in cells if c]
            if not filled:
                continue
            if len(filled) == 1 and (r, 1) not in covered and cells[0]:
                events.append(TextLine(filled[0], n, r))  # a title or unit line spanning the sheet
            else:
                events.append(Row(cells, n, r))
    return events


def _cell_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def read_office(
    content: bytes, filename: str, kind: str, *, fiscal_year: int | None = None,
    default_plan: Sequence[tuple[int, float]] = DEFAULT_PLAN,
) -> ParseResult:
    """A .docx (kind "docx") or a non-template .xlsx (kind "xlsx") of target tables."""
    events = docx_events(content, filename) if kind == "docx" else sheet_events(content, filename)
    if not any(isinstance(ev, Row) and any(c and "三级指标" in c for c in ev.cells) for ev in events):
        raise ValidationError(f"{filename} 中没有绩效指标表（应有“一级指标/二级指标/三级指标/指标值”表头）。")
    result = parse_events(events, filename, fiscal_year, default_plan)
    result.findings.extend(review_dataset(result.data))
    return result

"""One way in for published targets: a .txt/.pdf/.docx/.xlsx file or pasted text → dataset + findings.

After every parse the invariants (perfwatch.importers.targets_checks) are checked and reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from perfwatch import uploads
from perfwatch.errors import ValidationError
from perfwatch.importers.targets_checks import check_invariants
from perfwatch.importers.targets_office import read_office
from perfwatch.importers.targets_pdf import read_pdf
from perfwatch.importers.targets_tables import DEFAULT_PLAN, Progress
from perfwatch.importers.targets_text import (
    Finding,
    ParseResult,
    TargetsParseError,
    TargetValueError,
    guess_nature,
    parse_target_value,
    parse_targets_text,
    review_dataset,
)
from perfwatch.importers.targets_xlsx import read_template
from perfwatch.vocab import NATURE_LABELS

ACCEPTED = (".txt", ".pdf", ".docx", ".xlsx")
MAX_BYTES = uploads.MAX_UPLOAD_BYTES


def decode_text(content: bytes, filename: str) -> str:
    """Text files from Chinese offices come as UTF-8 (with or without BOM) or GB18030."""
    try:
        return uploads.decode_text(content)
    except ValidationError as exc:
        raise ValidationError(f"{filename}：{exc}") from exc


def _xlsx_value(text: str) -> object:
    try:
        return parse_target_value(text)
    except TargetValueError as exc:
        raise ValidationError(str(exc)) from exc


def read_targets(
    filename: str, content: bytes, *, fiscal_year: int | None = None, progress: Progress | None = None,
    default_plan: Sequence[tuple[int, float]] = DEFAULT_PLAN,
) -> ParseResult:
    """Parse a targets file by its type; errors are ValidationError/TargetsParseError in Chinese.

    ``progress(done, total)`` reports pages read (PDF); ``default_plan`` (month, cumulative %) is used
    for documents without a monthly spending plan, with a finding asking for the real one.
    """
    name = Path(filename).name
    ext = Path(name).suffix.lower()
    if not content:
        raise ValidationError(f"{name} 是空文件。")
    if len(content) > MAX_BYTES:
        raise ValidationError(f"{name} 超过 {MAX_BYTES // 1024 // 1024} MB，不予导入。")
    if ext == ".pdf":
        result = read_pdf(content, name, fiscal_year=fiscal_year, progress=progress, default_plan=default_plan)
    elif ext == ".docx":
        result = read_office(content, name, "docx", fiscal_year=fiscal_year, default_plan=default_plan)
    elif ext == ".xlsx":
        if not _is_template(content):
            result = read_office(content, name, "xlsx", fiscal_year=fiscal_year, default_plan=default_plan)
        else:
            data = read_template(content, name, parse_value=_xlsx_value)
            if not data["projects"] and not data["departments"]:
                raise ValidationError(f"{name} 是空模板：没有部门和项目。")
            return ParseResult(data, review_dataset(data) + template_nature_findings(data))
    elif ext in (".txt", ""):
        result = parse_targets_text(decode_text(content, name), source=name, fiscal_year=fiscal_year)
    else:
        raise ValidationError(f"{name}：不支持的文件类型 {ext}，请上传 {'/'.join(ACCEPTED)} 文件。")
    result.findings.extend(check_invariants(result.data, result.rows))
    result.findings.extend(nature_findings(result))
    return result


NATURE_NOTE = "数量指标的性质按名称和单位推定（系统中已有的性质保留；可在项目与绩效目标页修改）："
TEMPLATE_NATURE_NOTE = "“性质”列为空的数量指标：系统中已有性质的保留，新指标按名称和单位推定（可在项目与绩效目标页修改）："


def nature_findings(result: ParseResult) -> list[Finding]:
    """One note per project and per department sub-goal listing the nature guessed for each of its
    count indicators (DOMAIN.md §5a): the guess the loader stores for a new indicator."""
    return _guessed_natures(result.data, NATURE_NOTE)


def template_nature_findings(data: dict[str, Any]) -> list[Finding]:
    """For an Excel template: the count indicators whose 性质 cell is blank, with their guessed nature."""
    return _guessed_natures(data, TEMPLATE_NATURE_NOTE)


def _guessed_natures(data: dict[str, Any], note: str) -> list[Finding]:
    owners: list[tuple[str, list[dict[str, Any]]]] = [
        (f"项目 {p.get('seq')}“{p.get('name')}”", p.get("indicators") or []) for p in data.get("projects") or []]
    owners += [(f"分项目标 {sg.get('seq')}“{sg.get('title')}”", sg.get("indicators") or [])
               for d in data.get("departments") or [] for sg in d.get("sub_goals") or []]
    out: list[Finding] = []
    for where, inds in owners:
        guesses = []
        for ind in inds:
            if ind.get("kind") != "count" or ind.get("nature"):
                continue
            # The same call as dataset._nature, so the note says what the loader will store.
            guess = guess_nature(ind["level3"], ind.get("description"), ind["target_text"], ind.get("unit"))
            guesses.append(f"{ind['level3']}={NATURE_LABELS[guess] if guess else '未能推定（按流量）'}")
        if guesses:
            out.append(Finding("info", where, note + "、".join(guesses)))
    return out


def _is_template(content: bytes) -> bool:
    """Our own template has the sheets 项目 and 指标; anything else is read as a table document."""
    import io

    from openpyxl import load_workbook

    try:
        names = load_workbook(io.BytesIO(content), read_only=True).sheetnames
    except Exception:  # noqa: BLE001 - read_template reports unreadable files with its own message
        return True
    return "项目" in names and "指标" in names


__all__ = ["ACCEPTED", "ParseResult", "TargetsParseError", "decode_text", "read_targets"]

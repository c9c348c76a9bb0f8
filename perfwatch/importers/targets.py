"""One way in for published targets: a .txt/.pdf/.xlsx file or pasted text → dataset + findings."""

from __future__ import annotations

from pathlib import Path

from perfwatch.importers.targets_pdf import pdf_text
from perfwatch.importers.targets_text import (
    ParseResult,
    TargetsParseError,
    TargetValueError,
    parse_target_value,
    parse_targets_text,
    review_dataset,
)
from perfwatch.importers.targets_xlsx import read_template
from perfwatch import uploads
from perfwatch.store import ValidationError

ACCEPTED = (".txt", ".pdf", ".xlsx")
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


def read_targets(filename: str, content: bytes, *, fiscal_year: int | None = None) -> ParseResult:
    """Parse a targets file by its type; errors are ValidationError/TargetsParseError in Chinese."""
    name = Path(filename).name
    ext = Path(name).suffix.lower()
    if not content:
        raise ValidationError(f"{name} 是空文件。")
    if len(content) > MAX_BYTES:
        raise ValidationError(f"{name} 超过 {MAX_BYTES // 1024 // 1024} MB，不予导入。")
    if ext == ".pdf":
        return parse_targets_text(pdf_text(content, name), source=name, fiscal_year=fiscal_year)
    if ext == ".xlsx":
        data = read_template(content, name, parse_value=_xlsx_value)
        if not data["projects"] and not data["departments"]:
            raise ValidationError(f"{name} 是空模板：没有部门和项目。")
        return ParseResult(data, review_dataset(data))
    if ext in (".txt", ""):
        return parse_targets_text(decode_text(content, name), source=name, fiscal_year=fiscal_year)
    raise ValidationError(f"{name}：不支持的文件类型 {ext}，请上传 {'/'.join(ACCEPTED)} 文件。")


__all__ = ["ACCEPTED", "ParseResult", "TargetsParseError", "decode_text", "read_targets"]

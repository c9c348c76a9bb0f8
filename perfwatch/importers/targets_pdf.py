"""Published targets PDFs: ruled tables (pdfplumber) first, the text layer for the text-line parser."""

from __future__ import annotations

import io
from collections.abc import Sequence

from perfwatch.errors import ValidationError
from perfwatch.importers.targets_checks import cross_check
from perfwatch.importers.targets_tables import (
    DEFAULT_PLAN,
    Progress,
    Row,
    parse_events,
    pdf_events,
)
from perfwatch.importers.targets_text import (
    Finding,
    ParseResult,
    TargetsParseError,
    parse_targets_text,
    review_dataset,
)


class NoTextLayerError(ValidationError):
    """The PDF has no extractable text (a scan)."""


def pdf_text(content: bytes, filename: str = "文件.pdf") -> str:
    """The text of every page, pages separated by a blank line; a clear error for scans or non-PDFs."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    if not content.startswith(b"%PDF"):
        raise ValidationError(f"{filename} 不是 PDF 文件（文件头不是 %PDF）。")
    from perfwatch.uploads import check_pdf_limits

    check_pdf_limits(filename, content)  # page count before any page is parsed
    try:
        with pdfplumber.open(io.BytesIO(content)) as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
    except (PDFSyntaxError, Exception) as exc:  # pdfminer raises assorted errors on broken files
        raise ValidationError(f"{filename} 无法读取（PDF 可能已损坏）：{type(exc).__name__}") from exc
    if pages and not "".join(pages).strip():
        # pdfminer cannot decode some embedded CID fonts (e.g. CFF-flavoured OpenType); PDFium can.
        pages = _pdfium_pages(content)
    if not pages:
        raise ValidationError(f"{filename} 没有任何页面。")
    text = "\n\n".join(pages)
    if not text.strip():
        raise NoTextLayerError(
            f"{filename} 共 {len(pages)} 页，但没有文字层（可能是扫描件或图片）。"
            "请使用预算公开系统导出的原始 PDF，或将文字复制粘贴到“粘贴文本”中导入。"
        )
    return text


def _pdfium_pages(content: bytes) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(content)
    try:
        return [page.get_textpage().get_text_range().replace("\r\n", "\n") for page in doc]
    finally:
        doc.close()


def read_pdf(
    content: bytes, filename: str = "文件.pdf", *, fiscal_year: int | None = None,
    progress: Progress | None = None, default_plan: Sequence[tuple[int, float]] = DEFAULT_PLAN,
) -> ParseResult:
    """A targets PDF: ruled tables first (pdfplumber), text lines as fallback, cross-checked when both work.

    ``progress(done, total)`` is called after each page is read (pages, then one step for parsing).
    """
    import pdfplumber

    if not content.startswith(b"%PDF"):
        raise ValidationError(f"{filename} 不是 PDF 文件（文件头不是 %PDF）。")
    try:
        texts: list[str] = []
        with pdfplumber.open(io.BytesIO(content)) as pdf:
            events = pdf_events(pdf, progress, texts)
    except Exception as exc:  # noqa: BLE001 - pdfminer raises assorted errors on broken files
        raise ValidationError(f"{filename} 无法读取（PDF 可能已损坏）：{type(exc).__name__}") from exc
    header = any(isinstance(ev, Row) and any(c and "三级指标" in c for c in ev.cells) for ev in events)
    # the text of the same pass; pdf_text again only when pdfminer read nothing (CFF fonts, scans)
    text = "\n\n".join(texts) if "".join(texts).strip() else pdf_text(content, filename)
    if not header:  # no ruled indicator table: the text-line parser reads the document
        return parse_targets_text(text, source=filename, fiscal_year=fiscal_year)
    result = parse_events(events, filename, fiscal_year, default_plan)
    result.findings.extend(review_dataset(result.data))
    try:
        text_result = parse_targets_text(text, source=filename, fiscal_year=fiscal_year)
    except (TargetsParseError, ValidationError) as exc:
        result.findings.append(Finding("info", "全文", f"按文本行无法完整识别（{exc}），以表格结构为准"))
    else:
        result.findings.extend(cross_check(result.data, text_result.data, result.rows))
        # the department part (第一部分, prose) is only read by the text parser
        dept = text_result.data["departments"][0] if text_result.data["departments"] else None
        if dept and (dept.get("overall_goal") or dept.get("sub_goals")):
            mine = result.data["departments"][0]
            for key in ("overall_goal", "safeguards", "sub_goals"):
                mine[key] = dept.get(key)
            if mine["code"] != dept["code"]:
                result.findings.append(Finding(
                    "warning", "全文", f"部门整体绩效目标所属单位 {dept['code']} 与项目表单位 {mine['code']} 不同，请核对"))
    result.findings.append(Finding("info", "全文", f"按 PDF 表格结构导入（共 {sum(isinstance(e, Row) for e in events)} 个表格行）"))
    return result

"""Text layer of a published targets PDF (pdfplumber), fed to the same text parser."""

from __future__ import annotations

import io

from perfwatch.store import ValidationError


class NoTextLayerError(ValidationError):
    """The PDF has no extractable text (a scan)."""


def pdf_text(content: bytes, filename: str = "文件.pdf") -> str:
    """The text of every page, pages separated by a blank line; a clear error for scans or non-PDFs."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    if not content.startswith(b"%PDF"):
        raise ValidationError(f"{filename} 不是 PDF 文件（文件头不是 %PDF）。")
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

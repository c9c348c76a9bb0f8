"""Resource limits (issue 16 item 7): a zip bomb named .xlsx and a 1,000-page PDF are refused with a
Chinese message after a bounded amount of work, by the upload check and by the importers
(the command line does not pass the upload check)."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from fpdf import FPDF

from perfwatch import uploads
from perfwatch.importers import spend
from perfwatch.importers.targets_pdf import pdf_text
from perfwatch.store import ValidationError

MINIMAL = {
    "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    "xl/workbook.xml": b'<?xml version="1.0"?><workbook/>',
}


def _bomb(unzipped_mb: int) -> bytes:
    """An .xlsx whose one sheet inflates to ``unzipped_mb`` MB (deflate makes it ~100 KB)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in MINIMAL.items():
            zf.writestr(name, body)
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            fh.write(b'<?xml version="1.0"?><worksheet><sheetData>')
            block = b" " * (1024 * 1024)
            for _ in range(unzipped_mb):
                fh.write(block)
            fh.write(b"</sheetData></worksheet>")
    return buf.getvalue()


def _many_rows(rows: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in MINIMAL.items():
            zf.writestr(name, body)
        zf.writestr("xl/worksheets/sheet1.xml", b"<worksheet><sheetData>" + b'<row r="1"><c r="A1"/></row>' * rows
                    + b"</sheetData></worksheet>")
    return buf.getvalue()


def test_zip_bomb_is_refused_while_streaming() -> None:
    """Test that a 95 MB-unzipped .xlsx (the probe's) is refused by the upload check and the importer, quickly."""
    bomb = _bomb(95)
    assert len(bomb) < 1024 * 1024  # small on the wire: only the streamed count can catch it
    started = time.process_time()
    with pytest.raises(ValidationError, match="解压后超过"):
        uploads.check_upload("支出.xlsx", bomb, {".xlsx"})
    sf = spend.parse_spend(bomb, "支出.xlsx")
    assert any("解压后超过" in str(e) for e in sf.errors)
    # Measured ~0.3 s of CPU for both (the probe's file took 92 s); 10 s leaves room for a busy CI.
    assert time.process_time() - started < 10


def test_too_many_rows_are_refused() -> None:
    """Test that a sheet with more rows than the limit is refused (counted in the XML, not loaded)."""
    with pytest.raises(ValidationError, match="行"):
        uploads.check_xlsx_limits("big.xlsx", _many_rows(uploads.MAX_XLSX_ROWS + 1))
    uploads.check_xlsx_limits("ok.xlsx", _many_rows(1000))  # a normal file passes


def test_thousand_page_pdf_is_refused_before_parsing() -> None:
    """Test that a 1,000-page PDF is refused from its page tree, before pdfplumber reads any page."""
    pdf = FPDF()
    for _ in range(1000):
        pdf.add_page()
    data = bytes(pdf.output())
    assert uploads.pdf_page_count(data) == 1000
    started = time.process_time()
    with pytest.raises(ValidationError, match="1,000 页"):
        uploads.check_upload("目标.pdf", data, {".pdf"})
    with pytest.raises(ValidationError, match="超过上限"):
        pdf_text(data, "目标.pdf")
    assert time.process_time() - started < 10

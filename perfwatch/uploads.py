"""Checks every uploaded file passes before an importer reads it: name, size and content type.

Streamlit already caps uploads at ``server.maxUploadSize`` (.streamlit/config.toml, 20 MB);
:func:`check_upload` checks again on the server, by extension *and* by the first bytes, so a
renamed executable or an HTML page called ``.xlsx`` is refused with a Chinese message.

    from perfwatch.uploads import check_upload
    ext = check_upload(file.name, file.getvalue(), {".xlsx", ".csv"})  # ValidationError if refused
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from pathlib import PurePath

from perfwatch.errors import ValidationError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # keep equal to server.maxUploadSize in .streamlit/config.toml

TEXT_EXTS = frozenset({".csv", ".txt", ".json", ".tsv"})
ZIP_EXTS = frozenset({".xlsx", ".xlsm", ".docx"})
_MAGIC: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".xlsx": (b"PK\x03\x04",),
    ".xlsm": (b"PK\x03\x04",),
    ".docx": (b"PK\x03\x04",),
}
# The main part an Office Open XML file of each kind must contain.
_OOXML_PART = {".xlsx": "xl/workbook.xml", ".xlsm": "xl/workbook.xml", ".docx": "word/document.xml"}
_MAX_ZIP_ENTRIES = 10_000
_MAX_UNZIPPED = 200 * 1024 * 1024  # declared sizes (zip headers); the real sizes are counted below

# Resource limits checked while streaming the zip entries (headers can lie; nothing is inflated
# past these). A county's largest spend export is ~60,000 rows × 12 columns, ~15 MB of sheet XML.
MAX_XLSX_UNZIPPED_BYTES = 64 * 1024 * 1024
MAX_XLSX_ROWS = 200_000
MAX_XLSX_CELLS = 3_000_000
MAX_PDF_PAGES = 300
_CHUNK = 1024 * 1024


def _human(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def decode_text(data: bytes) -> str:
    """Text of an uploaded CSV/TXT/JSON: UTF-8 (with or without BOM), else GB18030 (Excel on
    Chinese Windows); ValidationError when it is neither or contains NUL bytes (binary)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode 文本" export: UTF-16 with a BOM
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ValidationError("文件编码无法识别，请另存为 UTF-8 编码后再上传。") from exc
    if b"\x00" in data:
        raise ValidationError("文件内容不是文本（含有二进制数据）。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("文件编码无法识别，请另存为 UTF-8 编码后再上传。")


def check_upload(name: str, data: bytes, allowed_exts: Iterable[str], max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """Refuse an upload unless its extension is allowed and its content matches; return the
    extension (lower case, with the dot).

    Raises :class:`perfwatch.store.ValidationError` with a Chinese message naming the file.
    """
    allowed = sorted({e.lower() if e.startswith(".") else "." + e.lower() for e in allowed_exts})
    shown = PurePath(str(name or "")).name[:120] or "（未命名文件）"
    ext = PurePath(shown).suffix.lower()
    if ext not in allowed:
        raise ValidationError(f"文件 {shown} 的类型不受支持，只接受：{'、'.join(allowed)}。")
    if not isinstance(data, (bytes, bytearray)):
        raise ValidationError(f"文件 {shown} 无法读取。")
    if len(data) == 0:
        raise ValidationError(f"文件 {shown} 是空文件。")
    if len(data) > max_bytes:
        raise ValidationError(f"文件 {shown} 大小为 {_human(len(data))}，超过上限 {_human(max_bytes)}。")
    data = bytes(data)
    if ext in TEXT_EXTS:
        decode_text(data)
        return ext
    if ext == ".xls" and not data.startswith(_MAGIC[".xls"]):
        # Many government systems save an HTML or XML (SpreadsheetML 2003) table under .xls.
        try:
            text = decode_text(data)
        except ValidationError:
            text = ""
        if not text.lstrip().startswith("<"):
            raise ValidationError(f"文件 {shown} 的内容与扩展名 {ext} 不符（可能是改了扩展名的其他文件），请上传原始文件。")
        return ext
    magic = _MAGIC.get(ext)
    if magic and not data.startswith(magic):
        raise ValidationError(f"文件 {shown} 的内容与扩展名 {ext} 不符（可能是改了扩展名的其他文件），请上传原始文件。")
    if ext in ZIP_EXTS:
        _check_ooxml(shown, ext, data)
        check_xlsx_limits(shown, data)
    if ext == ".pdf":
        check_pdf_limits(shown, data)
    return ext


def check_xlsx_limits(name: str, data: bytes) -> None:
    """Refuse an .xlsx whose entries inflate past :data:`MAX_XLSX_UNZIPPED_BYTES`, or whose sheets
    hold more than :data:`MAX_XLSX_ROWS` rows or :data:`MAX_XLSX_CELLS` cells, counting while
    streaming each entry in 1 MB pieces (a zip bomb is stopped after at most the limit, whatever its
    headers say). ValidationError with a Chinese message naming the file."""
    shown = PurePath(str(name or "")).name[:120] or "（未命名文件）"
    total = rows = cells = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > _MAX_ZIP_ENTRIES:
                raise ValidationError(f"文件 {shown} 含有 {len(infos):,} 个部件，超过上限，已拒绝。")
            for info in infos:
                sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
                tail = b""
                with zf.open(info) as fh:
                    while True:
                        chunk = fh.read(_CHUNK)
                        if not chunk:
                            break
                        total += len(chunk)
                        if total > MAX_XLSX_UNZIPPED_BYTES:
                            raise ValidationError(
                                f"文件 {shown} 解压后超过 {_human(MAX_XLSX_UNZIPPED_BYTES)}，已拒绝（可能是压缩炸弹）。"
                                "请只保留需要导入的工作表，或分成几个文件导入。")
                        if sheet:
                            piece = tail + chunk
                            rows += piece.count(b"<row") - tail.count(b"<row")
                            cells += piece.count(b"<c ") + piece.count(b"<c>") - tail.count(b"<c ") - tail.count(b"<c>")
                            tail = chunk[-8:]
                            if rows > MAX_XLSX_ROWS or cells > MAX_XLSX_CELLS:
                                raise ValidationError(
                                    f"文件 {shown} 的工作表超过 {MAX_XLSX_ROWS:,} 行或 {MAX_XLSX_CELLS:,} 个单元格，已拒绝。"
                                    "请分成几个文件导入。")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
        if isinstance(exc, ValidationError):
            raise
        return  # not a readable zip at all: the reader says so in its own words


def pdf_page_count(data: bytes) -> int | None:
    """The page count a PDF declares in its page tree (read without parsing any page); None if unreadable."""
    try:
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfparser import PDFParser
        from pdfminer.pdftypes import resolve1

        doc = PDFDocument(PDFParser(io.BytesIO(data)))
        count = resolve1(resolve1(doc.catalog["Pages"]).get("Count"))
        return int(count) if isinstance(count, int) else None
    except Exception:  # noqa: BLE001 - pdfminer raises assorted errors on broken files; the parser reports those
        return None


def check_pdf_limits(name: str, data: bytes) -> None:
    """Refuse a PDF with more than :data:`MAX_PDF_PAGES` pages before any page is parsed."""
    shown = PurePath(str(name or "")).name[:120] or "（未命名文件）"
    pages = pdf_page_count(data)
    if pages is not None and pages > MAX_PDF_PAGES:
        raise ValidationError(f"文件 {shown} 有 {pages:,} 页，超过上限 {MAX_PDF_PAGES} 页，已拒绝。"
                              "绩效目标表通常只有几十页，请只上传相关部分。")


def _check_ooxml(shown: str, ext: str, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValidationError(f"文件 {shown} 已损坏，无法作为 {ext} 打开。") from exc
    if len(infos) > _MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > _MAX_UNZIPPED:
        raise ValidationError(f"文件 {shown} 解压后过大，已拒绝。")
    part = _OOXML_PART.get(ext)
    if part and part not in names:
        raise ValidationError(f"文件 {shown} 不是有效的 {ext} 文件（缺少 {part}）。")

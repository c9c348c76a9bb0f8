"""佐证材料: files (台账, 签到表, photos, survey summaries) attached to a project's declaration or to
one indicator's reported value in a monitoring round.

Accepted: PDF, PNG, JPEG, XLSX and DOCX up to :data:`MAX_BYTES`. The type is read from the content
(magic bytes, and the main part of an Office file), never from the name: a renamed executable is
refused. Each file is stored in the ``attachments`` table (a normal table, so backups carry it) with
its SHA-256; removing one only flags it (content and audit row stay). Every write goes through
:func:`perfwatch.store.transaction` (the owner for their projects, finance for all; audited) and
respects the round's review state (:func:`perfwatch.review.check_editable`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import duckdb
import pandas as pd

from perfwatch import db, review
from perfwatch.store import Actor, ValidationError, transaction

MAX_BYTES = 10 * 1024 * 1024
ACCEPTED_EXTENSIONS: tuple[str, ...] = (".pdf", ".png", ".jpg", ".jpeg", ".xlsx", ".docx")
MEDIA_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
KIND_LABELS: dict[str, str] = {"pdf": "PDF", "png": "图片", "jpeg": "图片", "xlsx": "Excel", "docx": "Word"}
_MAX_ZIP_ENTRIES = 10_000
_MAX_UNZIPPED = 200 * 1024 * 1024


def _human(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} 字节"


def sniff(data: bytes) -> str | None:
    """The kind of a file from its content: pdf, png, jpeg, xlsx, docx; None if none of these."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                infos = zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if len(infos) > _MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > _MAX_UNZIPPED:
            return None
        names = {i.filename for i in infos}
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            return "docx"
    return None


def check_file(name: str, data: bytes, max_bytes: int = MAX_BYTES) -> tuple[str, str]:
    """(clean file name, media type) of an acceptable file; ValidationError (Chinese) otherwise."""
    shown = PurePath(str(name or "").replace("\\", "/")).name.strip()[:120] or "（未命名文件）"
    if not isinstance(data, (bytes, bytearray)) or len(data) == 0:
        raise ValidationError(f"文件 {shown} 是空文件。")
    if len(data) > max_bytes:
        raise ValidationError(f"文件 {shown} 大小为 {_human(len(data))}，超过佐证材料上限 {_human(max_bytes)}。")
    kind = sniff(bytes(data))
    if kind is None:
        raise ValidationError(f"文件 {shown} 的内容不是 PDF、图片（PNG/JPG）、Excel（.xlsx）或 Word（.docx），"
                              "不能作为佐证材料上传（按文件内容判断，与扩展名无关）。")
    return shown, MEDIA_TYPES[kind]


@dataclass(frozen=True)
class Stored:
    """One attachment with its content (for download)."""

    id: int
    project_id: int
    indicator_id: int | None
    as_of: dt.date | None
    file_name: str
    media_type: str
    size_bytes: int
    sha256: str
    content: bytes
    uploaded_by: str
    uploaded_at: dt.datetime
    removed: bool


def add(conn: duckdb.DuckDBPyConnection, actor: Actor, project_id: int, as_of: dt.date, file_name: str, data: bytes,
        *, indicator_id: int | None = None) -> int:
    """Store a file for the round ``as_of`` of a project (its declaration, or ``indicator_id``'s
    reported value); return its id. Refused when the file or the round does not allow it."""
    name, media_type = check_file(file_name, data)
    when = review.round_date(as_of)
    digest = hashlib.sha256(bytes(data)).hexdigest()
    with transaction(conn, actor, "round.attach", project_id=project_id) as tx:
        if tx.one("store/project_exists", {"project_id": project_id}) is None:
            raise ValidationError(f"项目编号 {project_id} 不存在。")
        if indicator_id is not None:
            owner = tx.one("store/indicator_project", {"indicator_id": indicator_id})
            if owner is None or owner[0] is None or int(owner[0]) != project_id:
                raise ValidationError(f"指标编号 {indicator_id} 不属于该项目。")
        review.check_editable(tx, project_id, when, "佐证材料")
        row = tx.one("round/insert_attachment", {
            "project_id": project_id, "indicator_id": indicator_id, "as_of": when, "file_name": name,
            "media_type": media_type, "size_bytes": len(data), "sha256": digest, "content": bytes(data),
            "uploaded_by": actor.username,
        })
        assert row is not None
        tx.audit("attachments", row[0], None, {
            "project_id": project_id, "indicator_id": indicator_id, "as_of": when, "file_name": name,
            "media_type": media_type, "size_bytes": len(data), "sha256": digest}, "attachment.add")
        return int(row[0])


def get(conn: duckdb.DuckDBPyConnection, attachment_id: int) -> Stored:
    rows = db.query(conn, "round/attachment_one", {"id": attachment_id})
    if not rows:
        raise ValidationError(f"佐证材料 {attachment_id} 不存在。")
    r = rows[0]
    return Stored(int(r[0]), int(r[1]), None if r[2] is None else int(r[2]), r[3], str(r[4]), str(r[5]), int(r[6]),
                  str(r[7]), bytes(r[8]), str(r[9]), r[10], bool(r[11]))


def remove(conn: duckdb.DuckDBPyConnection, actor: Actor, attachment_id: int) -> int:
    """Flag an attachment removed (kept in the table; the audit row names who removed it); returns its id."""
    item = get(conn, attachment_id)
    with transaction(conn, actor, "round.attach", project_id=item.project_id) as tx:
        if item.as_of is not None:
            review.check_editable(tx, item.project_id, item.as_of, "佐证材料")
        tx.run("round/mark_attachment_removed", {"id": attachment_id})
        tx.audit("attachments", attachment_id, {"file_name": item.file_name, "sha256": item.sha256, "removed": False},
                 {"file_name": item.file_name, "sha256": item.sha256, "removed": True}, "attachment.remove")
    return attachment_id


def _frame(f: pd.DataFrame) -> pd.DataFrame:
    f = f.astype({"indicator_id": object, "level3": object})
    f["indicator_id"] = [None if pd.isna(v) else int(v) for v in f["indicator_id"]]
    f["level3"] = [None if pd.isna(v) else str(v) for v in f["level3"]]
    f["size_text"] = [_human(int(n)) for n in f["size_bytes"]]
    f["attached_to"] = [f"指标：{v}" if v else "项目填报" for v in f["level3"]]
    return f


def of_project(conn: duckdb.DuckDBPyConnection, project_id: int, as_of: dt.date) -> pd.DataFrame:
    """The round's attachments (no content): id, indicator_id, level3, file_name, media_type,
    size_bytes, sha256, uploaded_by, uploaded_at, size_text, attached_to (Chinese)."""
    return _frame(db.query_df(conn, "round/attachments_of_project",
                              {"project_id": project_id, "as_of": review.round_date(as_of)}))


def of_department(conn: duckdb.DuckDBPyConnection, department_id: int, as_of: dt.date) -> pd.DataFrame:
    """Every project's attachments of the round (no content), with project_id and project_code."""
    return _frame(db.query_df(conn, "round/attachments_of_department",
                              {"department_id": department_id, "as_of": review.round_date(as_of)}))

"""Read side of the audit log for the 操作日志 page: filtering and CSV / XLSX export (no streamlit)."""

from __future__ import annotations

import datetime as dt
import io

import duckdb
import pandas as pd

from perfwatch import audit_chain, db, xlsx_safe

MAX_ROWS = 50_000

COLUMNS: dict[str, str] = {
    "id": "编号",
    "changed_at": "时间",
    "actor": "操作人",
    "action": "操作",
    "entity": "对象",
    "entity_id": "对象编号",
    "old_value": "原值",
    "new_value": "新值",
}

def facets(conn: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Distinct actors, actions and entities in the log, for the filters."""
    out: dict[str, list[str]] = {"actor": [], "action": [], "entity": []}
    for kind, value in db.query(conn, "auth/audit_facets"):
        out[kind].append(value)
    return out


def audit_frame(
    conn: duckdb.DuckDBPyConnection,
    *,
    actor: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = MAX_ROWS,
) -> pd.DataFrame:
    """Audit rows, newest first, with Chinese column names; None filters match everything."""
    frame = db.query_df(
        conn,
        "auth/audit_log",
        {"actor": actor, "action": action, "entity": entity, "date_from": date_from, "date_to": date_to, "limit": limit},
    )
    return frame.rename(columns=COLUMNS)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM (Excel opens it correctly); cells that look like formulas are
    prefixed with an apostrophe so a spreadsheet shows them as text."""
    safe = frame.apply(lambda col: col.map(xlsx_safe.csv_safe)) if not frame.empty else frame
    return safe.to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "操作日志") -> bytes:
    """An .xlsx workbook; every text is written as text (never as a formula or a link)."""
    buf = io.BytesIO()
    book = xlsx_safe.workbook(buf, {"in_memory": True})
    try:
        ws = book.add_worksheet(sheet)
        xlsx_safe.write_frame(ws, frame, header_format=book.add_format({"bold": True}))
        for i, col in enumerate(frame.columns):
            ws.set_column(i, i, 40 if col in ("原值", "新值") else 18)
    finally:
        book.close()
    return buf.getvalue()


def chain_report(conn: duckdb.DuckDBPyConnection) -> audit_chain.ChainReport:
    """Whether any audit row was changed or removed outside the app (see perfwatch.audit_chain)."""
    return audit_chain.verify(conn)

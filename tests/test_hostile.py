"""Hostile input: SQL-like text and HTML are stored verbatim and shown as text; uploads are checked
by size and type; random text and numbers thrown at the importers and the write functions are
either accepted correctly or refused with a message, never a crash or a partial write."""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from perfwatch import auth, backup, dataset, entry, store, uploads
from perfwatch.store import Actor, ValidationError

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
ADMIN = Actor("admin", "admin")
AS_OF = dt.date(2024, 7, 31)

HOSTILE: tuple[str, ...] = (
    "'); DROP TABLE projects; --",
    "<script>alert(1)</script>",
    "\" OR 1=1 --",
    "Robert'); DELETE FROM audit_log; --",
    "<img src=x onerror=alert(1)>",
    "=cmd|' /C calc'!A0",
    "$name $1 ? %s {0}",
    "**粗体** [链接](javascript:alert(1)) <b>标签</b>",
    "换行\n第二行\t制表",
    "零宽\u200b字符",
)

FUZZ = settings(max_examples=60, deadline=None, report_multiple_bugs=False, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                     HealthCheck.too_slow])

text_values = st.one_of(st.text(max_size=40), st.sampled_from(HOSTILE))
number_values = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
)
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**20), max_value=10**20),
                      st.floats(allow_nan=True, allow_infinity=True), text_values)
json_values = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6)


def _mini() -> dict[str, Any]:
    return json.loads((FIXTURES / "mini.targets.json").read_text(encoding="utf-8"))


def _ids(conn: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    p1 = conn.execute("SELECT id FROM projects WHERE code = 'P001'").fetchone()[0]
    ind = conn.execute("SELECT min(id) FROM indicators WHERE project_id = ?", [p1]).fetchone()[0]
    return int(p1), int(ind)


def _accepted_or_refused(conn: duckdb.DuckDBPyConnection, write: Callable[[], Any],
                         refusals: tuple[type[BaseException], ...] = (ValidationError,)) -> Any:
    """Run ``write``: it either succeeds, or raises one of ``refusals`` having written nothing.

    Any other exception is re-raised after checking that nothing was written either.
    """
    before = backup.snapshot(conn)
    try:
        return write()
    except BaseException as exc:
        assert backup.snapshot(conn) == before, f"partial write before {type(exc).__name__}: {exc}"
        if isinstance(exc, refusals):
            assert str(exc).strip(), "a refusal must carry a message"
            return None
        raise


# ---------------------------------------------------------------- stored verbatim, shown as text


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_stored_verbatim_in_every_text_field(mini_db: duckdb.DuckDBPyConnection, text: str) -> None:
    """Test that SQL-like and HTML text round-trips unchanged through every write and drops nothing."""
    p1, ind = _ids(mini_db)
    tables_before = set(backup.tables(mini_db))
    entry.record_spend(mini_db, store.SYSTEM, p1, AS_OF, 1, source=text, note=text)
    entry.record_project_report(mini_db, store.SYSTEM, p1, AS_OF, progress_text=text)
    entry.record_result(mini_db, store.SYSTEM, ind, AS_OF, value=1, projected_text=text, cause_text=text,
                        measure=text, note=text, cause_categories=["其他"])
    store.set_setting(mini_db, ADMIN, "note", text)
    auth.create_first_admin(mini_db, "admin", "hostile-test-pw", display_name=text.replace("\n", " ").replace("\t", " "))
    data = _mini()
    data["departments"][0]["overall_goal"] = text
    data["projects"][0]["name"] = text
    data["projects"][0]["goals"] = [text]
    data["projects"][0]["indicators"][0]["level3"] = text
    dataset.load_targets(mini_db, ADMIN, data)

    q = mini_db.execute
    assert q("SELECT note, source FROM spend_entries ORDER BY id DESC LIMIT 1").fetchone() == (text, text)
    assert q("SELECT progress_text FROM project_reports ORDER BY id DESC LIMIT 1").fetchone()[0] == text
    assert q("SELECT projected_text, cause_text, measure, note FROM indicator_results ORDER BY id DESC LIMIT 1"
             ).fetchone() == (text,) * 4
    assert auth.get_setting(mini_db, "note", None) == text
    assert q("SELECT name FROM projects WHERE id = ?", [p1]).fetchone()[0] == text
    assert q("SELECT text FROM goals WHERE project_id = ?", [p1]).fetchone()[0] == text
    assert q("SELECT overall_goal FROM departments").fetchone()[0] == text
    assert text in [r[0] for r in q("SELECT level3 FROM indicators").fetchall()]
    assert set(backup.tables(mini_db)) == tables_before
    assert any(text in (r[0] or "") for r in q("SELECT new_value::VARCHAR FROM audit_log").fetchall()) or "\n" in text


def test_hostile_text_is_refused_as_a_username(empty_db: duckdb.DuckDBPyConnection) -> None:
    """Test that names with spaces or control characters are refused and the others kept verbatim."""
    for text in HOSTILE:
        if any(ch.isspace() for ch in text) or "\u200b" in text:
            with pytest.raises(ValidationError):
                auth.clean_username(text)
        else:
            assert auth.clean_username(text) == text


def test_no_page_renders_raw_html() -> None:
    """Test that no page or UI helper passes unsafe_allow_html=True (user text must never become HTML).

    A line that really needs it for constant markup must say so with "# safe-html: constant".
    """
    offenders = []
    for path in [*sorted((REPO / "pages").rglob("*.py")), REPO / "dashboard.py", *sorted((REPO / "perfwatch").rglob("*.py"))]:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"unsafe_allow_html\s*=\s*True", line) and "safe-html: constant" not in line:
                offenders.append(f"{path.relative_to(REPO)}:{n}")
    assert not offenders, offenders


def test_audit_exports_keep_formulas_as_text(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that CSV/XLSX exports of the audit log do not turn '=...' into spreadsheet formulas."""
    import openpyxl

    from perfwatch import audit

    store.set_setting(mini_db, ADMIN, "=cmd|' /C calc'!A0", "=1+1")
    frame = audit.audit_frame(mini_db, entity="settings")
    csv_text = audit.to_csv_bytes(frame).decode("utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in csv_text and "\n=cmd" not in csv_text
    wb = openpyxl.load_workbook(io.BytesIO(audit.to_xlsx_bytes(frame)))
    values = [c.value for row in wb.active.iter_rows() for c in row]
    assert "=cmd|' /C calc'!A0" in values  # a plain string cell, not a formula
    assert all(c.data_type != "f" for row in wb.active.iter_rows() for c in row)


# ---------------------------------------------------------------- uploads


def _xlsx_bytes() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["项目编码", "金额"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_check_upload_accepts_real_files() -> None:
    """Test that genuine xlsx, UTF-8 and GB18030 CSV and PDF files pass and report their type."""
    assert uploads.check_upload("支出.XLSX", _xlsx_bytes(), {".xlsx", ".csv"}) == ".xlsx"
    assert uploads.check_upload("支出.csv", "项目编码,金额\nP001,1".encode("gb18030"), {"csv"}) == ".csv"
    assert uploads.check_upload("a.csv", "\ufeff项目编码".encode("utf-8"), {".csv"}) == ".csv"
    assert uploads.check_upload("t.pdf", b"%PDF-1.7\n...", {".pdf"}) == ".pdf"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("evil.exe", b"MZ\x90\x00", "类型不受支持"),
        ("page.html", b"<script>alert(1)</script>", "类型不受支持"),
        ("no-extension", b"x", "类型不受支持"),
        ("empty.csv", b"", "空文件"),
        ("big.csv", b"a" * (1024 * 1024 + 1), "超过上限"),
        ("renamed.xlsx", b"<html><script>alert(1)</script></html>", "不符"),
        ("broken.xlsx", b"PK\x03\x04garbage", "损坏"),
        ("binary.csv", b"\x00\x01\x02\x03", "不是文本"),
        ("../../etc/passwd.pdf", b"not a pdf", "不符"),
    ],
)
def test_check_upload_refuses_wrong_type_size_or_content(name: str, data: bytes, message: str) -> None:
    """Test that uploads are refused by extension, size and content, with a Chinese message."""
    with pytest.raises(ValidationError, match=message):
        uploads.check_upload(name, data, {".csv", ".xlsx", ".pdf"}, max_bytes=1024 * 1024)


def test_check_upload_refuses_zip_that_is_not_a_workbook() -> None:
    """Test that a zip renamed to .xlsx is refused (no xl/workbook.xml)."""
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("payload.txt", "hi")
    with pytest.raises(ValidationError, match="workbook"):
        uploads.check_upload("x.xlsx", buf.getvalue(), {".xlsx"})


def test_streamlit_upload_limit_matches_the_helper() -> None:
    """Test that .streamlit/config.toml caps uploads at the same size as uploads.MAX_UPLOAD_BYTES."""
    import tomllib

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == uploads.MAX_UPLOAD_BYTES


@FUZZ
@given(name=st.one_of(st.text(max_size=20), st.sampled_from(["a.csv", "a.xlsx", "a.pdf", "a.CSV", "x.xls"])),
       data=st.binary(max_size=300))
def test_check_upload_never_crashes(name: str, data: bytes) -> None:
    """Test that any name and bytes give an allowed extension or a ValidationError, nothing else."""
    try:
        ext = uploads.check_upload(name, data, {".csv", ".xlsx", ".pdf", ".xls"}, max_bytes=200)
    except ValidationError as exc:
        assert str(exc)
    else:
        assert ext in {".csv", ".xlsx", ".pdf", ".xls"} and 0 < len(data) <= 200


# ---------------------------------------------------------------- random input at importers and writes


def _leaf_paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _leaf_paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _leaf_paths(v, (*prefix, i))
    return out


MINI_PATHS = [p for p in _leaf_paths(_mini()) if p[0] in ("departments", "projects")]


def _mutate(data: dict[str, Any], path: tuple[Any, ...], value: Any, delete: bool) -> dict[str, Any]:
    out = copy.deepcopy(data)
    parent = out
    for key in path[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return out


# These properties once found NaN, infinity, huge and non-numeric amounts crashing store.py and
# dataset.py with decimal/DuckDB errors; store.parse_amount / finite_number now refuse them.


@FUZZ
@given(data=st.data())
def test_targets_loader_accepts_or_refuses_random_datasets(mini_db: duckdb.DuckDBPyConnection, data: st.DataObject) -> None:
    """Test that a dataset with random values in random places loads correctly or is refused whole."""
    dataset_in = _mini()
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        path = data.draw(st.sampled_from(MINI_PATHS), label="path")
        try:
            dataset_in = _mutate(dataset_in, path, data.draw(json_values, label="value"),
                                 data.draw(st.booleans(), label="delete"))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed the path
    try:
        dataset.validate_dataset(dataset_in)
        valid = True
    except ValidationError:
        valid = False
    summary = _accepted_or_refused(mini_db, lambda: dataset.load_targets(mini_db, ADMIN, dataset_in))
    assert (summary is not None) == valid
    if summary is not None:
        for proj in dataset_in["projects"]:
            row = mini_db.execute(
                "SELECT p.name FROM projects p JOIN departments d ON d.id = p.department_id "
                "WHERE p.code = ? AND d.code = ? AND d.fiscal_year = ?",
                [proj["code"], proj["department_code"], proj["fiscal_year"]]).fetchone()
            assert row is not None and row[0] == proj["name"]


@FUZZ
@given(amount=st.one_of(number_values, text_values), note=text_values)
def test_record_spend_accepts_or_refuses_random_amounts(mini_db: duckdb.DuckDBPyConnection, amount: Any, note: str) -> None:
    """Test that any amount is stored exactly (to the fen) or refused with ValidationError, nothing partial
    (through the user path: the same checks as a page save, over-budget confirmed)."""
    p1, _ = _ids(mini_db)
    last = mini_db.execute("SELECT coalesce(max(id), 0) FROM spend_entries").fetchone()[0]
    row_id = _accepted_or_refused(mini_db, lambda: entry.record_spend(
        mini_db, store.SYSTEM, p1, AS_OF, amount, note=note, confirm_over_budget=True))
    if row_id is not None:
        stored, stored_note = mini_db.execute("SELECT amount, note FROM spend_entries WHERE id = ?", [row_id]).fetchone()
        assert stored == decimal.Decimal(str(amount).replace(",", "")).quantize(store.SPEND_QUANTUM) and stored >= 0
        if row_id > last:  # the same amount again is "unchanged": no new row, the old note stays
            assert stored_note == note


@FUZZ
@given(value=st.one_of(st.none(), number_values), projected=st.one_of(st.none(), number_values),
       rating=st.one_of(st.none(), st.sampled_from(store.RATINGS), text_values),
       likelihood=st.one_of(st.none(), st.sampled_from(store.LIKELIHOODS), text_values),
       causes=st.lists(st.one_of(st.sampled_from(store.CAUSE_CATEGORIES), text_values), max_size=3),
       text=text_values)
def test_record_result_accepts_or_refuses_random_input(
    mini_db: duckdb.DuckDBPyConnection, value: Any, projected: Any, rating: Any, likelihood: Any,
    causes: list[str], text: str,
) -> None:
    """Test that an indicator result with random fields is stored as given or refused whole."""
    _, ind = _ids(mini_db)
    row_id = _accepted_or_refused(mini_db, lambda: entry.record_result(
        mini_db, store.SYSTEM, ind, AS_OF, value=value, projected_value=projected, rating=rating,
        likelihood=likelihood, cause_categories=causes, cause_text=text, measure=text))
    if row_id is not None:
        row = mini_db.execute("SELECT rating, likelihood, cause_text, measure FROM indicator_results WHERE id = ?",
                              [row_id]).fetchone()
        # The form's cleaning: text stripped, blank text is no text.
        def cleaned(v: Any) -> Any:
            return None if v is None or not str(v).strip() else str(v).strip()
        assert row == (cleaned(rating), cleaned(likelihood), cleaned(text), cleaned(text))


@FUZZ
@given(amount=st.one_of(st.none(), number_values), text=st.one_of(st.none(), text_values))
def test_record_project_report_accepts_or_refuses_random_input(
    mini_db: duckdb.DuckDBPyConnection, amount: Any, text: str | None
) -> None:
    """Test that a project report with a random amount and text is stored or refused whole."""
    p1, _ = _ids(mini_db)
    row_id = _accepted_or_refused(mini_db, lambda: entry.record_project_report(
        mini_db, store.SYSTEM, p1, AS_OF, projected_amount=amount, progress_text=text))
    if row_id is not None:
        assert mini_db.execute("SELECT progress_text FROM project_reports WHERE id = ?", [row_id]).fetchone()[0] == text


@FUZZ
@given(display_name=st.one_of(st.none(), text_values), username=text_values, role=st.one_of(st.sampled_from(auth.ROLES), text_values),
       codes=st.lists(st.one_of(st.sampled_from(["P001", "P002"]), text_values), max_size=3))
def test_create_user_accepts_or_refuses_random_input(
    mini_db: duckdb.DuckDBPyConnection, display_name: str | None, username: str, role: str, codes: list[str]
) -> None:
    """Test that account creation with random names, roles and project codes succeeds or is refused whole."""
    assume(auth.PASSWORD_MIN_LENGTH <= 12)
    _accepted_or_refused(mini_db, lambda: auth.create_user(mini_db, ADMIN, username, role, "fuzz-password",
                                                           display_name, codes))


try:
    from perfwatch.importers.targets_text import TargetsParseError, parse_targets_text
except ImportError:  # pragma: no cover - importer not built yet
    parse_targets_text = None  # type: ignore[assignment]


@pytest.mark.skipif(parse_targets_text is None, reason="targets_text importer not present")
@FUZZ
@given(text=st.one_of(st.text(max_size=400), st.lists(st.sampled_from(
    ["一、部门整体绩效目标", "二、项目绩效目标", "项目名称：", "预算数：10万元", "产出指标", "数量指标", "≥100件",
     "'); DROP TABLE projects; --", "<script>alert(1)</script>", "\n", "12月31日前", "满意度≥90%", "13052924P00584012128B"]),
    max_size=30).map("\n".join)))
def test_targets_text_parser_accepts_or_refuses_random_text(text: str) -> None:
    """Test that the published-text parser returns a result or raises TargetsParseError, nothing else."""
    try:
        result = parse_targets_text(text, "fuzz.txt", 2024)
    except TargetsParseError as exc:
        assert str(exc)
    else:
        assert result is not None


try:
    from perfwatch.importers.spend import parse_spend
except ImportError:  # pragma: no cover
    parse_spend = None  # type: ignore[assignment]


@pytest.mark.skipif(parse_spend is None, reason="spend importer not present")
@FUZZ
@given(rows=st.lists(st.lists(st.one_of(text_values, number_values.map(str)), min_size=1, max_size=4), max_size=6),
       header=st.sampled_from([["项目编码", "支出日期", "金额"], ["code", "date", "amount"], []]))
def test_spend_importer_accepts_or_refuses_random_csv(rows: list[list[str]], header: list[str]) -> None:
    """Test that the spend importer turns any CSV into rows and row errors (or its own error), never a crash."""
    import csv

    buf = io.StringIO()
    w = csv.writer(buf)
    if header:
        w.writerow(header)
    w.writerows(rows)
    try:
        result = parse_spend(buf.getvalue().encode("utf-8"), "fuzz.csv")
    except (ValidationError, ValueError) as exc:
        assert str(exc)
    else:
        assert all(str(e) for e in result.errors)


try:
    from perfwatch.importers.results import parse_results
except ImportError:  # pragma: no cover
    parse_results = None  # type: ignore[assignment]


@pytest.mark.skipif(parse_results is None, reason="results importer not present")
@FUZZ
@given(rows=st.lists(st.lists(st.one_of(text_values, number_values.map(str)), min_size=1, max_size=6), max_size=6),
       header=st.sampled_from([["指标编号", "截至日期", "完成值", "偏差原因", "完成可能性"],
                               ["项目编码", "三级指标", "完成值", "纠偏措施"], []]),
       as_xlsx=st.booleans())
def test_results_importer_accepts_or_refuses_random_tables(rows: list[list[str]], header: list[str], as_xlsx: bool) -> None:
    """Test that the results importer turns any CSV or XLSX table into rows and row errors, never a crash."""
    if as_xlsx:
        import openpyxl
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        wb = openpyxl.Workbook()
        for r in ([header] if header else []) + rows:
            wb.active.append([ILLEGAL_CHARACTERS_RE.sub("", c)[:200] for c in r])  # what Excel can hold
        buf = io.BytesIO()
        wb.save(buf)
        data, name = buf.getvalue(), "fuzz.xlsx"
    else:
        import csv

        text = io.StringIO()
        w = csv.writer(text)
        if header:
            w.writerow(header)
        w.writerows(rows)
        data, name = text.getvalue().encode("utf-8"), "fuzz.csv"
    try:
        result = parse_results(data, name)
    except (ValidationError, ValueError) as exc:
        assert str(exc)
    else:
        assert all(str(e) for e in result.errors)


def test_spend_uploads_accept_markup_xls_and_unicode_text_but_not_disguised_files() -> None:
    """Test that an HTML table saved as .xls and a UTF-16 "Unicode 文本" export pass the upload check
    (the spend importer reads both), while a PNG renamed to .xls is refused."""
    allowed = {".csv", ".xlsx", ".xls", ".txt"}
    html = "<html><body><table><tr><td>项目编码</td><td>支付金额</td></tr></table></body></html>".encode("gb18030")
    assert uploads.check_upload("支付明细.xls", html, allowed) == ".xls"
    utf16 = "项目编码\t支出日期\t支出金额\nP001\t2024-03-05\t100\n".encode("utf-16")
    assert uploads.check_upload("导出.txt", utf16, allowed) == ".txt"
    assert uploads.check_upload("旧版.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, allowed) == ".xls"
    with pytest.raises(ValidationError, match="不符"):
        uploads.check_upload("photo.xls", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, allowed)

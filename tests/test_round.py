"""A monitoring round on a real DuckDB file: project declarations (全年预计执行数, 偏差原因, 纠偏措施),
the review workflow (填报中 -> 已提交 -> 已退回/已审核) and 佐证材料, all through the write path."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

import duckdb
import openpyxl
import pytest

from perfwatch import attachments, declarations, entry, review, store
from perfwatch.declarations import Declaration

JUNE = dt.date(2024, 6, 30)
FINANCE = store.Actor("张会计", "finance")
LEADER = store.Actor("王局长", "leader")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pid(conn: duckdb.DuckDBPyConnection, code: str) -> int:
    return int(conn.execute("SELECT id FROM projects WHERE code = ?", [code]).fetchone()[0])


def dept(conn: duckdb.DuckDBPyConnection) -> int:
    return int(conn.execute("SELECT id FROM departments").fetchone()[0])


def owner(conn: duckdb.DuckDBPyConnection) -> store.Actor:
    return store.Actor("李科长", "owner", frozenset({pid(conn, "P001")}))


@pytest.fixture
def red_db(mini_db: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """P001 (budget 10.00, plan 25/50/75/100) has spent 1.00 by June: 执行率 10.00%, expected 50.00%,
    ratio 10.00 / 50.00 × 100 = 20.0 < 60 -> red (by hand). P002 (20.00, 8/50/…) spent 9.00:
    45.00% vs 50.00% -> ratio 90.0 -> green."""
    entry.record_spend(mini_db, store.SYSTEM, pid(mini_db, "P001"), dt.date(2024, 2, 1), "1.00")
    entry.record_spend(mini_db, store.SYSTEM, pid(mini_db, "P002"), dt.date(2024, 5, 1), "9.00")
    return mini_db


def declare(conn: duckdb.DuckDBPyConnection, actor: store.Actor, code: str = "P001", **kw: object) -> list[int]:
    p = pid(conn, code)
    base = declarations.of_project(conn, p, kw.get("as_of", JUNE)).id  # type: ignore[arg-type]
    kw.setdefault("as_of", JUNE)
    kw.setdefault("base_id", base)
    return declarations.save(conn, actor, [Declaration(p, **kw)])  # type: ignore[arg-type]


# ------------------------------------------------------------------ declarations


def test_pace_light_comes_from_the_engine(red_db: duckdb.DuckDBPyConnection) -> None:
    """Test that the declaration sees P001 red and P002 green at 2024-06-30 (hand ratios 20.0 and 90.0)."""
    lights = declarations.pace_lights(red_db, dept(red_db), JUNE)
    assert lights[pid(red_db, "P001")][0] == "red"
    assert lights[pid(red_db, "P002")][0] == "green"


def test_red_project_requires_cause_sentence_and_measure(red_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a red project's declaration without causes and measures is refused, naming each field."""
    with pytest.raises(declarations.DeclarationError) as info:
        declare(red_db, owner(red_db), projected_amount="6")
    text = str(info.value)
    assert "支出进度为红灯，请选择支出偏差原因类别" in text
    assert "支出进度为红灯，请说明支出偏差原因" in text
    assert "支出进度为红灯，请填写纠偏措施" in text
    assert red_db.execute("SELECT count(*) FROM project_reports").fetchone()[0] == 0


def test_declaration_saved_with_carryover(red_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a complete declaration is stored and current() shows 预计结转结余 = 10.00 − 6.00 = 4.00."""
    declare(red_db, owner(red_db), projected_amount="6", cause_categories=("经费保障", "其他"),
            cause_text="上级资金6月底才下达。", measure="7月集中支付培训费。", progress_text="已开展培训2次。")
    f = declarations.current(red_db, dept(red_db), JUNE).set_index("code")
    row = f.loc["P001"]
    assert row["projected_amount"] == 6.0
    assert row["carryover"] == 4.0
    assert row["cause_categories"] == ["经费保障", "其他"]
    assert row["cause_text"] == "上级资金6月底才下达。"
    assert row["measure"] == "7月集中支付培训费。"
    assert row["progress_text"] == "已开展培训2次。"
    assert row["as_of"] == JUNE and row["entered_by"] == "李科长"
    assert f.loc["P002"]["projected_amount"] is None  # not declared: 待填报
    audit = red_db.execute("SELECT action, entity FROM audit_log WHERE entity = 'project_reports'").fetchall()
    assert audit == [("declaration.record", "project_reports")]


@pytest.mark.parametrize(("amount", "message"), [
    ("20.01", "全年预计执行数 20.01 万元超过预算数 20.00 万元"),
    ("-1", "全年预计执行数不能为负数"),
    ("很多", "全年预计执行数应为数字"),
    ("", "请填写全年预计执行数"),
])
def test_amount_between_zero_and_budget(red_db: duckdb.DuckDBPyConnection, amount: str, message: str) -> None:
    """Test that 全年预计执行数 outside 0..budget (P002: 20.00) or not a number is refused with a Chinese reason."""
    with pytest.raises(declarations.DeclarationError, match=message):
        declare(red_db, FINANCE, "P002", projected_amount=amount)


def test_budget_itself_and_zero_are_accepted(red_db: duckdb.DuckDBPyConnection) -> None:
    """Test the boundaries: exactly the budget (20.00) and 0 are valid declarations of green P002."""
    declare(red_db, FINANCE, "P002", projected_amount="20")
    declare(red_db, FINANCE, "P002", projected_amount="0")
    assert declarations.current(red_db, dept(red_db), JUNE).set_index("code").loc["P002"]["carryover"] == 20.0


def test_ticked_category_without_sentence_is_refused_even_when_green(red_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a ticked cause category without a sentence is refused on a green project."""
    with pytest.raises(declarations.DeclarationError, match="勾选了偏差原因类别，请用一句话说明具体原因"):
        declare(red_db, FINANCE, "P002", projected_amount="18", cause_categories=("人员保障",))


def test_only_the_projects_owner_or_finance_may_declare(red_db: duckdb.DuckDBPyConnection) -> None:
    """Test that an owner cannot declare for another project and a leader cannot declare at all."""
    with pytest.raises(store.PermissionDenied, match="不是该项目的负责人"):
        declare(red_db, owner(red_db), "P002", projected_amount="18")
    with pytest.raises(store.PermissionDenied):
        declare(red_db, LEADER, "P002", projected_amount="18")


def test_not_a_month_end_is_refused(red_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a declaration dated mid-month is refused: a round's date is a month end."""
    with pytest.raises(declarations.DeclarationError, match="不是月末"):
        declare(red_db, FINANCE, "P002", projected_amount="18", as_of=dt.date(2024, 6, 15))


def test_status_json_shows_the_declared_figure(red_db: duckdb.DuckDBPyConnection) -> None:
    """Test that the engine's JSON carries the declaration as projections.owner (6.00 万元)."""
    from perfwatch import status

    declare(red_db, owner(red_db), projected_amount="6", cause_categories=("经费保障",),
            cause_text="资金晚到。", measure="加快支付。")
    out = status.to_json(status.compute_status(red_db, JUNE))
    p1 = next(p for p in out["projects"] if p["code"] == "P001")
    assert p1["projections"]["owner"] == 6.0


# ------------------------------------------------------------------ file import


def test_import_csv_with_english_headers(red_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a CSV with the English headers imports both projects in one write."""
    data = ("project_code,as_of,projected_amount,cause_categories,cause,measure,progress\n"
            "P001,2024-06-30,7.5,经费保障、制度保障,资金晚到,加快支付,进展顺利\n"
            "P002,2024-06-30,19,,,,\n").encode()
    plan = declarations.plan_import(red_db, data, "decl.csv")
    assert plan.errors == [] and len(plan.declarations) == 2
    declarations.commit_import(red_db, FINANCE, plan)
    f = declarations.current(red_db, dept(red_db), JUNE).set_index("code")
    assert f.loc["P001"]["projected_amount"] == 7.5 and f.loc["P001"]["carryover"] == 2.5
    assert f.loc["P001"]["cause_categories"] == ["经费保障", "制度保障"]
    assert f.loc["P002"]["carryover"] == 1.0


def test_import_errors_name_file_row_and_column_and_write_nothing(red_db: duckdb.DuckDBPyConnection) -> None:
    """Test that one bad row refuses the whole file with file, row and column in the message."""
    data = ("项目编码,截至日期,全年预计执行数,偏差原因类别,偏差原因,纠偏措施,项目进展\n"
            "P002,2024-06-30,19,,,,\n"
            "P001,2024-06-30,7.5,,,,\n"
            "P009,2024-06-30,1,,,,\n").encode()
    plan = declarations.plan_import(red_db, data, "申报.csv")
    messages = [str(e) for e in plan.errors]
    assert "申报.csv 第 3 行「偏差原因类别」列：支出进度为红灯，请选择支出偏差原因类别。" in messages
    assert "申报.csv 第 3 行「纠偏措施」列：支出进度为红灯，请填写纠偏措施。" in messages
    assert "申报.csv 第 4 行「项目编码」列：2024 年度没有编码为“P009”的项目。" in messages
    with pytest.raises(declarations.DeclarationError):
        declarations.commit_import(red_db, FINANCE, plan)
    assert red_db.execute("SELECT count(*) FROM project_reports").fetchone()[0] == 0


def test_template_round_trip(red_db: duckdb.DuckDBPyConnection) -> None:
    """Test that the Excel template lists both projects with their light, and once filled imports back."""
    data = declarations.template(red_db, dept(red_db), JUNE)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["项目填报"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["项目编码", "项目名称", "预算数（万元）", "支出进度灯", "截至日期", "全年预计执行数"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["P001"][3] == "红灯" and rows["P002"][3] == "绿灯"
    ws["F2"], ws["G2"], ws["H2"], ws["I2"] = 8, "人员保障", "人员调整。", "补充人员。"
    ws["F3"] = 20
    buf = io.BytesIO()
    wb.save(buf)
    plan = declarations.plan_import(red_db, buf.getvalue(), "模板.xlsx")
    assert plan.errors == []
    declarations.commit_import(red_db, FINANCE, plan)
    f = declarations.current(red_db, dept(red_db), JUNE).set_index("code")
    assert f.loc["P001"]["projected_amount"] == 8.0 and f.loc["P001"]["measure"] == "补充人员。"


# ------------------------------------------------------------------ review


def _full_declaration(conn: duckdb.DuckDBPyConnection, actor: store.Actor, amount: str = "6") -> None:
    declare(conn, actor, projected_amount=amount, cause_categories=("经费保障",), cause_text="资金晚到。",
            measure="加快支付。")


def test_review_walk_with_audit(red_db: duckdb.DuckDBPyConnection) -> None:
    """Test 填报中 -> 已提交 -> 已退回 -> (fix) -> 已提交 -> 已审核, the owner locked out while
    submitted, everyone once approved, and every step in the audit log."""
    p1 = pid(red_db, "P001")
    me = owner(red_db)
    assert review.state_of(red_db, p1, JUNE) == "draft"
    with pytest.raises(store.ValidationError, match="请先填写并保存6月的全年预计执行数"):
        review.submit(red_db, me, p1, JUNE)
    _full_declaration(red_db, me)
    review.submit(red_db, me, p1, JUNE)
    with pytest.raises(review.RoundLockedError, match="已提交审核，不能再修改"):
        _full_declaration(red_db, me, "7")
    with pytest.raises(store.PermissionDenied, match="无权审核项目填报.*仅限：财务。"):
        review.approve(red_db, me, p1, JUNE)
    with pytest.raises(store.PermissionDenied, match="无权审核项目填报"):  # refused before the comment is read
        review.send_back(red_db, me, p1, JUNE, "")
    with pytest.raises(store.ValidationError, match="请填写退回意见"):
        review.send_back(red_db, FINANCE, p1, JUNE, "  ")
    review.send_back(red_db, FINANCE, p1, JUNE, "纠偏措施请写明时间。")
    st = review.states(red_db, dept(red_db), JUNE).set_index("project_id").loc[p1]
    assert (st["state"], st["state_label"], st["comment"], st["changed_by"]) == ("returned", "已退回", "纠偏措施请写明时间。", "张会计")
    _full_declaration(red_db, me, "7")  # allowed again after 退回
    review.submit(red_db, me, p1, JUNE)
    review.approve(red_db, FINANCE, p1, JUNE)
    assert review.is_approved(red_db, p1, JUNE)
    assert review.approved_projects(red_db, dept(red_db), JUNE) == {p1}
    assert not review.is_approved(red_db, p1, dt.date(2024, 7, 31))  # July is another round: still a draft
    assert review.is_approved(red_db, p1, dt.date(2024, 6, 1))  # any date of the month is that round
    with pytest.raises(review.RoundLockedError, match="已审核"):
        _full_declaration(red_db, FINANCE, "8")
    with pytest.raises(store.ValidationError, match="当前为“已审核”"):
        review.submit(red_db, me, p1, JUNE)
    p2 = review.states(red_db, dept(red_db), JUNE).set_index("code").loc["P002"]
    assert (p2["state"], p2["state_label"], p2["changed_by"]) == ("draft", "填报中", None)
    actions = [r[0] for r in red_db.execute(
        "SELECT action FROM audit_log WHERE entity IN ('project_reports', 'round_states') ORDER BY id").fetchall()]
    assert actions == ["declaration.record", "round.submit", "round.return", "declaration.record", "round.submit",
                       "round.approve"]
    last = json.loads(red_db.execute("SELECT new_value FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()[0])
    assert last["state"] == "approved"


# ------------------------------------------------------------------ attachments


def _xlsx() -> bytes:
    buf = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active["A1"] = "台账"
    wb.save(buf)
    return buf.getvalue()


def test_attachment_stored_with_hash_and_audited(red_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a PDF attached to the declaration is stored byte for byte with its SHA-256."""
    p1 = pid(red_db, "P001")
    aid = attachments.add(red_db, owner(red_db), p1, JUNE, "C:\\扫描\\签到表.pdf", PDF)
    got = attachments.get(red_db, aid)
    assert got.content == PDF and got.file_name == "签到表.pdf" and got.media_type == "application/pdf"
    assert got.sha256 == hashlib.sha256(PDF).hexdigest() and got.size_bytes == len(PDF)
    listed = attachments.of_project(red_db, p1, JUNE)
    assert list(listed["file_name"]) == ["签到表.pdf"] and list(listed["attached_to"]) == ["项目填报"]
    assert red_db.execute("SELECT action FROM audit_log WHERE entity = 'attachments'").fetchall() == [("attachment.add",)]


def test_attachment_to_an_indicator_and_removal_keeps_the_row(red_db: duckdb.DuckDBPyConnection) -> None:
    """Test an xlsx attached to an indicator's value, then removed: gone from the list, kept in the table."""
    p1 = pid(red_db, "P001")
    ind = int(red_db.execute("SELECT id FROM indicators WHERE level3 = '办案数量'").fetchone()[0])
    aid = attachments.add(red_db, owner(red_db), p1, JUNE, "台账.xlsx", _xlsx(), indicator_id=ind)
    assert list(attachments.of_project(red_db, p1, JUNE)["attached_to"]) == ["指标：办案数量"]
    attachments.remove(red_db, owner(red_db), aid)
    assert attachments.of_project(red_db, p1, JUNE).empty
    assert red_db.execute("SELECT removed FROM attachments WHERE id = ?", [aid]).fetchone()[0] is True


@pytest.mark.parametrize(("name", "data", "message"), [
    ("签到表.pdf", b"MZ\x90\x00 this is an exe", "内容不是 PDF、图片"),
    ("照片.jpg", b"<html><script>", "内容不是 PDF、图片"),
    ("台账.xlsx", b"PK\x03\x04 broken zip", "内容不是 PDF、图片"),
    ("空.pdf", b"", "是空文件"),
])
def test_attachment_type_checked_by_content(red_db: duckdb.DuckDBPyConnection, name: str, data: bytes, message: str) -> None:
    """Test that files whose content is not an accepted type are refused whatever their name."""
    with pytest.raises(store.ValidationError, match=message):
        attachments.add(red_db, owner(red_db), pid(red_db, "P001"), JUNE, name, data)
    assert red_db.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0


def test_attachment_content_decides_not_the_name(red_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a real PNG named .pdf is stored as an image, and a zip without a workbook is refused."""
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    aid = attachments.add(red_db, owner(red_db), pid(red_db, "P001"), JUNE, "照片.pdf", png)
    assert attachments.get(red_db, aid).media_type == "image/png"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "x")
    with pytest.raises(store.ValidationError):
        attachments.add(red_db, owner(red_db), pid(red_db, "P001"), JUNE, "台账.xlsx", buf.getvalue())


def test_attachment_size_limit(red_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a PDF one byte over 10 MB is refused with the limit named."""
    big = PDF + b"0" * (attachments.MAX_BYTES - len(PDF) + 1)
    with pytest.raises(store.ValidationError, match="超过佐证材料上限 10.0 MB"):
        attachments.add(red_db, owner(red_db), pid(red_db, "P001"), JUNE, "大文件.pdf", big)


def test_attachment_refused_on_a_submitted_round(red_db: duckdb.DuckDBPyConnection) -> None:
    """Test that the owner cannot add files once the round is submitted."""
    _full_declaration(red_db, owner(red_db))
    review.submit(red_db, owner(red_db), pid(red_db, "P001"), JUNE)
    with pytest.raises(review.RoundLockedError):
        attachments.add(red_db, owner(red_db), pid(red_db, "P001"), JUNE, "签到表.pdf", PDF)


def test_attachments_survive_backup_and_restore(red_db: duckdb.DuckDBPyConnection, tmp_path: object) -> None:
    """Test that a backup carries the attachments table and a restore gives back the same bytes."""
    from pathlib import Path

    from perfwatch import backup

    aid = attachments.add(red_db, owner(red_db), pid(red_db, "P001"), JUNE, "签到表.pdf", PDF)
    _full_declaration(red_db, owner(red_db))
    review.submit(red_db, owner(red_db), pid(red_db, "P001"), JUNE)
    out = Path(str(tmp_path)) / "backups"
    result = backup.create_backup(red_db, store.SYSTEM, out)
    restored_path = Path(str(tmp_path)) / "restored.duckdb"
    backup.restore_backup(result.path, restored_path)
    from perfwatch import db

    conn = db.open_database(restored_path)
    try:
        row = conn.execute("SELECT content, sha256 FROM attachments WHERE id = ?", [aid]).fetchone()
        assert bytes(row[0]) == PDF and row[1] == hashlib.sha256(PDF).hexdigest()
        assert conn.execute("SELECT state FROM round_states").fetchall() == [("submitted",)]
        assert conn.execute("SELECT cause_text FROM project_reports").fetchall() == [("资金晚到。",)]
        # the restored file keeps working: the next file and review step get new ids
        review.send_back(conn, FINANCE, pid(conn, "P001"), JUNE, "请补充签到表。")
        again = attachments.add(conn, owner(conn), pid(conn, "P001"), JUNE, "签到表2.pdf", PDF)
        assert again != aid
        assert [r[0] for r in conn.execute("SELECT state FROM round_states ORDER BY id").fetchall()] == [
            "submitted", "returned"]
    finally:
        conn.close()


def test_attachment_sizes_read_as_people_expect(red_db: duckdb.DuckDBPyConnection) -> None:
    """Test the listed size: a 45-byte PDF is "45 字节", not "0 KB"."""
    attachments.add(red_db, owner(red_db), pid(red_db, "P001"), JUNE, "签到表.pdf", PDF)
    assert len(PDF) == 45  # counted by hand: 9 + 18 + 12 + 6 bytes incl. newlines
    assert list(attachments.of_project(red_db, pid(red_db, "P001"), JUNE)["size_text"]) == ["45 字节"]


def test_import_refuses_a_disguised_file(red_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a PDF renamed .xlsx is refused before reading, naming the file."""
    plan = declarations.plan_import(red_db, PDF, "申报.xlsx")
    assert [str(e) for e in plan.errors] == ["申报.xlsx：文件 申报.xlsx 的内容与扩展名 .xlsx 不符（可能是改了扩展名的其他文件），请上传原始文件。"]


def test_results_refused_in_the_write_path_once_submitted(red_db: duckdb.DuckDBPyConnection) -> None:
    """Test that 指标填报's own save and undo refuse an owner's change to a submitted round, and
    that nobody may change an approved one; the owner may again after 退回."""
    from perfwatch import entry

    me = owner(red_db)
    ind = next(i for i in entry.indicators_all(red_db) if i.level3 == "办案数量")
    ok = entry.ResultInput(ind.id, JUNE, value=50.0, likelihood="确定能", check_base=False)
    saved = entry.save_results(red_db, me, [ok], today=dt.date(2024, 8, 1))
    _full_declaration(red_db, me)
    review.submit(red_db, me, pid(red_db, "P001"), JUNE)
    again = entry.ResultInput(ind.id, JUNE, value=55.0, likelihood="确定能", check_base=False)
    with pytest.raises(review.RoundLockedError, match="已提交审核，不能再修改"):
        entry.save_results(red_db, me, [again], today=dt.date(2024, 8, 1))
    with pytest.raises(review.RoundLockedError):
        entry.undo_batch(red_db, me, saved.batch_ids[0])
    review.approve(red_db, FINANCE, pid(red_db, "P001"), JUNE)
    with pytest.raises(review.RoundLockedError, match="已审核"):
        entry.save_results(red_db, store.SYSTEM, [again], today=dt.date(2024, 8, 1))
    review.send_back(red_db, FINANCE, pid(red_db, "P001"), JUNE, "请核对办案数量。")
    entry.save_results(red_db, me, [again], today=dt.date(2024, 8, 1))
    values = [r[0] for r in red_db.execute(
        "SELECT value FROM indicator_results WHERE indicator_id = ? ORDER BY id", [ind.id]).fetchall()]
    assert values == [50.0, 55.0]

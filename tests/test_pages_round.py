"""The 项目填报 page under AppTest (no browser) on a temporary database: an owner fills a red
project's declaration and an indicator, submits; finance sends it back and approves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from perfwatch import dataset, db, entry, store

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def page_db(tmp_path: Path, point_app: Callable[[Path], Path], mini_data: dict[str, Any]) -> Iterator[Path]:
    """The mini dataset where P001 (budget 10.00) spent 1.00 by June: 10.00% against 50.00% planned,
    ratio 20.0 -> red (by hand)."""
    path = tmp_path / "round-pages.duckdb"
    conn = db.open_database(path)
    dataset.load_targets(conn, store.SYSTEM, mini_data)
    p1 = int(conn.execute("SELECT id FROM projects WHERE code = 'P001'").fetchone()[0])
    entry.record_spend(conn, store.SYSTEM, p1, dt.date(2024, 2, 1), "1.00")
    conn.close()
    yield point_app(path)


def read(path: Path, sql: str) -> list[tuple[Any, ...]]:
    from perfwatch import web

    return web._connection(str(path)).execute(sql).fetchall()


def open_page(role: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("PERFWATCH_ROLE", role)
    monkeypatch.setenv("PERFWATCH_PROJECTS", "P001")
    at = AppTest.from_file(str(REPO / "pages" / "entry" / "project_report.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    at.selectbox(key="round_month").set_value(6).run()
    assert not at.exception, at.exception
    return at


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


def test_owner_declares_submits_and_finance_reviews(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test the page's round: a red project's declaration refused without causes, saved with them,
    submitted (then read-only for the owner); finance returns it with a comment, then approves."""
    at = open_page("owner", monkeypatch)
    assert "支出进度为红灯" in "\n".join(c.value for c in at.caption)
    p1 = read(page_db, "SELECT id FROM projects WHERE code = 'P001'")[0][0]
    suffix = f"{p1}_2024-06-30"
    at.number_input(key=f"round_amount_{suffix}").set_value(6.0)
    at.button(key=f"FormSubmitter:round_decl_{suffix}-保存项目填报").click().run()
    assert "支出进度为红灯，请填写纠偏措施" in errors(at)
    assert read(page_db, "SELECT count(*) FROM project_reports") == [(0,)]
    at.multiselect(key=f"round_cats_{suffix}").set_value(["经费保障"])
    at.text_area(key=f"round_cause_{suffix}").set_value("上级资金6月底才下达。")
    at.text_area(key=f"round_measure_{suffix}").set_value("7月集中支付。")
    at.button(key=f"FormSubmitter:round_decl_{suffix}-保存项目填报").click().run()
    assert not at.exception and not errors(at), errors(at)
    assert [float(r[0]) for r in read(page_db, "SELECT projected_amount FROM project_reports")] == [6.0]
    at.button(key=f"round_submit_{suffix}").click().run()
    assert read(page_db, "SELECT state FROM round_states") == [("submitted",)]
    assert "本期填报已提交审核" in "\n".join(i.value for i in at.info)

    fin = open_page("finance", monkeypatch)
    fin.text_area(key=f"round_comment_{suffix}").set_value("纠偏措施请写明完成时间。")
    fin.button(key=f"FormSubmitter:round_review_{suffix}-退回修改").click().run()
    assert read(page_db, "SELECT state, comment FROM round_states ORDER BY id DESC LIMIT 1") == [
        ("returned", "纠偏措施请写明完成时间。")]
    fin.button(key=f"round_submit_{suffix}").click().run()  # finance may submit on the owner's behalf
    fin.button(key=f"FormSubmitter:round_review_{suffix}-审核通过").click().run()
    assert read(page_db, "SELECT state FROM round_states ORDER BY id DESC LIMIT 1") == [("approved",)]
    assert not fin.exception

    done = AppTest.from_file(str(_completeness_page()), default_timeout=60).run()
    done.selectbox(key="completeness_month").set_value(6).run()
    assert not done.exception, done.exception
    table = next(d.value for d in done.dataframe if "审核状态" in d.value.columns)
    assert dict(zip(table["项目编码"], table["审核状态"], strict=False)) == {"P001": "已审核", "P002": "填报中"}


def _completeness_page() -> Path:
    """The 填报情况 page script (pages/entry/ after the house refactor, app_pages/ before)."""
    new = REPO / "pages" / "entry" / "completeness.py"
    return new if new.exists() else REPO / "app_pages" / "completeness.py"


def test_project_page_lists_the_rounds_files(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test that 项目详情 lists a file attached to P001's February round with a download button,
    and says the round is still 填报中."""
    from perfwatch import attachments, web

    monkeypatch.setenv("PERFWATCH_ROLE", "leader")
    conn = web._connection(str(page_db))
    p1 = int(conn.execute("SELECT id FROM projects WHERE code = 'P001'").fetchone()[0])
    attachments.add(conn, store.Actor("李科长", "owner", frozenset({p1})), p1, dt.date(2024, 2, 29), "签到表.pdf",
                    b"%PDF-1.4\n%%EOF\n")
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60).run()
    at.query_params["project"] = "P001"
    at.switch_page("pages/monitor/project.py").run()
    assert not at.exception, at.exception
    assert "签到表.pdf" not in "\n".join(m.value for m in at.markdown)  # its tab is drawn when picked
    at.session_state["project_history_tab"] = "佐证材料"
    at.run()
    shown = "\n".join(m.value for m in at.markdown)
    assert "项目填报：签到表.pdf（15 字节，李科长 上传）" in shown  # 9 + 6 bytes
    assert "本期审核状态：填报中" in "\n".join(c.value for c in at.caption)
    assert any(getattr(b, "label", "") == "下载" for b in at.get("download_button"))



def _owner_reviews(db_path: str) -> None:
    """An AppTest script: the page's write helper (web.attempt) running an owner's 审核通过."""
    import datetime as dt

    from perfwatch import review, store, web

    conn = web._connection(db_path)
    p1 = int(conn.execute("SELECT id FROM projects WHERE code = 'P001'").fetchone()[0])
    web.attempt(lambda: review.approve(conn, store.Actor("李科长", "owner", frozenset({p1})), p1, dt.date(2024, 6, 30)))


def test_refused_round_actions_read_in_chinese(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test the page for roles without a round permission: an administrator (no round.declare) sees
    every round button disabled with a Chinese reason; finance sees why results are read-only; a
    refused review reaches the user as a Chinese message naming the permission (no traceback,
    no permission code), and nothing is written."""
    p1 = read(page_db, "SELECT id FROM projects WHERE code = 'P001'")[0][0]
    suffix = f"{p1}_2024-06-30"
    admin = open_page("admin", monkeypatch)
    assert "（管理员），只能查看。项目负责人和财务可以填报。" in "\n".join(i.value for i in admin.info)
    assert admin.button(key=f"FormSubmitter:round_decl_{suffix}-保存项目填报").disabled
    assert admin.button(key=f"FormSubmitter:round_upload_{suffix}-上传佐证材料").disabled
    assert not [b for b in admin.button if b.label in ("提交审核", "审核通过", "退回修改")]

    fin = open_page("finance", monkeypatch)
    assert "指标完成值由项目负责人填报，当前身份只能查看。" in "\n".join(c.value for c in fin.caption)
    ind = read(page_db, f"SELECT min(id) FROM indicators WHERE project_id = {int(p1)}")[0][0]
    fin.session_state[f"round_open_{ind}_{suffix}"] = True  # open the indicator: its form is drawn
    fin.run()
    assert fin.button(key=f"FormSubmitter:round_form_{ind}_{suffix}-保存指标").disabled
    assert not fin.button(key=f"FormSubmitter:round_decl_{suffix}-保存项目填报").disabled

    refused = AppTest.from_function(_owner_reviews, args=(str(page_db),), default_timeout=60).run()
    assert not refused.exception, refused.exception
    assert errors(refused) == "李科长（项目负责人） 无权审核项目填报（通过或退回），该操作仅限：财务。"
    assert read(page_db, "SELECT count(*) FROM round_states") == [(0,)]


def test_an_indicator_not_updated_this_round_shows_its_dated_result(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test that 办案数量, last reported at May's end (40 件), reads 本期未更新 with its date in the
    June round, and not in the May round (where the result is current)."""
    from perfwatch import web

    conn = web._connection(str(page_db))
    ind = int(conn.execute("SELECT id FROM indicators WHERE level3 = '办案数量'").fetchone()[0])
    entry.save_results(conn, store.SYSTEM, [entry.ResultInput(ind, dt.date(2024, 5, 31), value=40.0)],
                       today=dt.date(2024, 8, 15))
    at = open_page("owner", monkeypatch)  # the June round
    note = "本期未更新，最近一次：40 件（截至5月31日）"
    assert [e.label for e in at.expander if "办案数量" in e.label][0].endswith(f"〔{note}〕")
    assert [w.value for w in at.warning] == [f"{note}，请填报截至6月30日的完成值。"]
    at.selectbox(key="round_month").set_value(5).run()
    assert not at.exception, at.exception
    assert not any("本期未更新" in e.label for e in at.expander) and not at.warning

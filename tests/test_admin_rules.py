"""判定规则: thresholds changed on the admin page are stored, audited and used everywhere."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from perfwatch import entry, store
from perfwatch.reports.briefing import build_pdf
from perfwatch.reports.data import build_report
from perfwatch.settings import DEFAULT_RULES, Rules, load_rules, save_rules
from perfwatch.status import compute_status

REPO = Path(__file__).resolve().parents[1]
PAGE = str(REPO / "pages" / "admin" / "admin_rules.py")


def _read(path: Path, sql: str) -> list[tuple[object, ...]]:
    from perfwatch import web

    return web._connection(str(path)).execute(sql).fetchall()


def test_admin_changes_a_threshold_and_it_is_audited(seed_db_path: Path, point_app: Callable[[Path], Path]) -> None:
    """Test that saving 红灯 below 50 stores the rule, writes an audit row and shows the new rule text."""
    point_app(seed_db_path)
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception, at.exception
    assert any("<60 红" in t.value for t in at.text)
    at.number_input(key="ratio_red").set_value(50.0)
    at.button[0].click().run()  # 保存
    assert not at.exception, at.exception
    assert any("已保存" in s.value for s in at.success)
    assert any("50–80 黄，<50 红" in t.value for t in at.text)
    stored = json.loads(_read(seed_db_path, "SELECT value FROM settings WHERE key = 'rules'")[0][0])
    assert stored["ratio_red_below"] == 50.0
    audit = _read(seed_db_path, "SELECT actor, action, old_value, new_value FROM audit_log WHERE entity = 'settings'")
    assert len(audit) == 1 and audit[0][1] == "settings.update" and audit[0][2] is None


def test_inconsistent_thresholds_are_refused(seed_db_path: Path, point_app: Callable[[Path], Path]) -> None:
    """Test that 红灯 above 黄灯 is refused with a reason and nothing is stored."""
    point_app(seed_db_path)
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.number_input(key="ratio_red").set_value(90.0)
    at.button[0].click().run()
    assert not at.exception
    assert any("未保存" in e.value and "红灯阈值须不大于黄灯阈值" in e.value for e in at.error)
    assert _read(seed_db_path, "SELECT count(*) FROM settings WHERE key = 'rules'")[0][0] == 0


def test_points_rule_changes_lights_and_the_briefing_says_so(seed_db: object) -> None:
    """Test that switching to the percentage-point rule recolours a project and the PDF prints that rule."""
    conn = seed_db
    pid = conn.execute("SELECT id FROM projects WHERE seq = 3").fetchone()[0]  # 72.00 万元, plan 8/50/75/100
    entry.record_spend(conn, store.SYSTEM, pid, dt.date(2024, 7, 1), 30)      # 41.67% vs 56.25% expected
    as_of = dt.date(2024, 7, 31)
    ratio = compute_status(conn, as_of, department_id=1)
    row = ratio.projects.set_index("seq").loc[3]
    assert row["execution_light"] == "yellow"                                 # ratio 74.1: 60–80 yellow
    save_rules(conn, store.Actor("adm", "admin"), Rules(execution_rule="points"))
    assert load_rules(conn).execution_rule == "points"
    points = compute_status(conn, as_of, department_id=1).projects.set_index("seq").loc[3]
    assert points["execution_light"] == "yellow"                              # gap −14.58pp: −15..−5 yellow
    save_rules(conn, store.Actor("adm", "admin"), Rules(execution_rule="points", points_red_below=-10.0))
    assert compute_status(conn, as_of, department_id=1).projects.set_index("seq").loc[3]["execution_light"] == "red"
    report = build_report(conn, 1, as_of=as_of)
    assert "执行率−计划应达进度（百分点）" in report.rule_texts["execution"]
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(build_pdf(report))) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages).replace("\n", "")
    assert "<-10 红" in text or "<−10 红" in text
    save_rules(conn, store.Actor("adm", "admin"), DEFAULT_RULES)

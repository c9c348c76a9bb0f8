"""Count natures and milestones written from the 项目与绩效目标 page (DOMAIN §5a): the milestone
text format (boundary table by hand), the page's editor rows, the one write path with audit, refusals
in Chinese naming the indicator, and the page itself under AppTest."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from perfwatch import dataset, db, milestones, store
from perfwatch.indicator_edit import CountEdit, count_settings, save_count_settings
from perfwatch.status import compute_status
from perfwatch.store import ValidationError
from perfwatch.targets_view import count_edits, count_settings_table

REPO = Path(__file__).resolve().parents[1]
ADMIN = store.Actor("admin", "admin")
P_MEDIATION = "13052924P00584012127P"  # 人民调解经费: indicator 人民调解员培训次数 ≥1 次


# --------------------------------------------------------------------------------------------
# The milestone text: one format everywhere a person types milestones


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3月:2;6月:4;9月:6;12月:8", ((3, 2.0), (6, 4.0), (9, 6.0), (12, 8.0))),  # the documented form
        ("6:2,12:4", ((6, 2.0), (12, 4.0))),                                        # the CLI's short form
        ("6月：2；12月：4", ((6, 2.0), (12, 4.0))),                                  # full-width colon and semicolon
        (" 1月:0.5 ; 12月:1 ", ((1, 0.5), (12, 1.0))),                              # month 1 and 12 are the bounds
        ("3月:2;", ((3, 2.0),)),                                                     # a trailing separator
        ("", ()),                                                                     # empty = no milestones
        ("   ", ()),
    ],
)
def test_milestone_text_is_read(text: str, expected: tuple[tuple[int, float], ...]) -> None:
    """Test that the documented milestone texts read as (month, cumulative value) pairs."""
    assert milestones.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0月:1", "里程碑月份 0 超出范围，应为 1–12。"),                    # below the first month
        ("13月:1", "里程碑月份 13 超出范围，应为 1–12。"),                  # after December
        ("6月:2;3月:4", "里程碑月份须逐个递增：6 月之后是 3 月。"),           # months out of order
        ("6月:2;6月:3", "里程碑月份须逐个递增：6 月之后是 6 月。"),           # the same month twice
        ("6月:4;12月:4", "里程碑累计值须逐个递增：6 月为 4，12 月为 4。"),     # cumulative value not growing
        ("6月:0", "里程碑 6 月的累计值应为正数"),                            # zero is no milestone
        ("六月:2", "里程碑“六月:2”格式有误"),                               # month in words
        ("6月=2", "里程碑“6月=2”格式有误"),
    ],
)
def test_bad_milestone_text_is_refused(text: str, message: str) -> None:
    """Test that bad months, order and values are refused with a Chinese message naming them."""
    with pytest.raises(ValidationError) as exc:
        milestones.parse(text)
    assert message in str(exc.value)


def test_milestone_text_round_trip() -> None:
    """Test that the written form is the documented one and reads back to the same pairs."""
    pairs = ((3, 2.0), (6, 4.5), (12, 8.0))
    assert milestones.to_text(pairs) == "3月:2;6月:4.5;12月:8"
    assert milestones.parse(milestones.to_text(pairs)) == pairs
    assert milestones.to_dataset(pairs) == [{"month": 3, "value": 2.0}, {"month": 6, "value": 4.5},
                                            {"month": 12, "value": 8.0}]


# --------------------------------------------------------------------------------------------
# The page's editor rows and the write


def _ids(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {level3: int(i) for i, level3 in conn.execute(
        "SELECT i.id, i.level3 FROM indicators i JOIN projects p ON p.id = i.project_id WHERE p.code = ?",
        [P_MEDIATION]).fetchall()}


def test_editor_rows_show_labels_and_text(seed_db: duckdb.DuckDBPyConnection) -> None:
    """Test that the editor lists the seed's 13 count indicators (7 project + 6 department-level, counted
    in the dataset by hand) with the guessed nature as a Chinese label and blank milestones."""
    table = count_settings_table(count_settings(seed_db, 1))
    assert list(table.columns) == ["编号", "项目/分项目标", "序号", "三级指标", "指标值", "性质", "里程碑"]
    assert len(table) == 13
    row = table[table["三级指标"] == "业务信息化系统维护数量 10套以上"].iloc[0]
    assert (row["项目/分项目标"], row["性质"], row["里程碑"]) == ("分项目标 4", "存量", "")  # never "None" in the grid
    row = table[table["三级指标"] == "人民调解员培训次数"].iloc[0]
    assert row["性质"] == "集中开展"


def test_count_edits_are_the_changed_rows() -> None:
    """Test that only rows whose 性质 or 里程碑 changed become edits (blank and None alike)."""
    shown = [{"编号": 1, "性质": "流量", "里程碑": None}, {"编号": 2, "性质": None, "里程碑": None}]
    edited = [{"编号": 1, "性质": "流量", "里程碑": ""}, {"编号": 2, "性质": "存量", "里程碑": "6月:1"}]
    assert count_edits(shown, edited) == [CountEdit(2, "存量", "6月:1")]


def test_save_writes_audits_and_changes_the_light(seed_db: duckdb.DuckDBPyConnection) -> None:
    """Test that 人民调解员培训次数 (≥1 次, guessed 集中开展) set to 集中开展 with milestones 6月:1;12月:2 is
    written in one transaction with an audit row per value, and the light follows the milestones."""
    ind = _ids(seed_db)["人民调解员培训次数"]
    written = save_count_settings(seed_db, ADMIN, 1, [CountEdit(ind, "一次性", "6月:1")])
    assert written == 2  # the nature and the milestones
    assert seed_db.execute("SELECT nature FROM indicators WHERE id = ?", [ind]).fetchone() == ("one_off",)
    assert seed_db.execute("SELECT month, value FROM indicator_milestones WHERE indicator_id = ?",
                           [ind]).fetchall() == [(6, 1.0)]
    audit = seed_db.execute(
        "SELECT actor, action, old_value, new_value FROM audit_log WHERE action LIKE 'indicator.%' ORDER BY id").fetchall()
    assert [(a, act, json.loads(o), json.loads(n)) for a, act, o, n in audit] == [
        ("admin", "indicator.nature.set", {"nature": "scheduled"}, {"nature": "one_off"}),
        ("admin", "indicator.milestones.set", [], [[6, 1.0]]),
    ]
    # By hand: a one-off planned for June (its last milestone month) is grey at 05-31 (5.0 months < 6)
    # and, with no result entered, 未填报 at 06-30 (due: 6.0 months, the full target 1 次 applies).
    may = compute_status(seed_db, date(2024, 5, 31)).indicators.set_index("indicator_id").loc[ind]
    assert (may.light, may.reason) == ("grey", "未到期：一次性指标，计划6月完成（灰灯）")
    june = compute_status(seed_db, date(2024, 6, 30)).indicators.set_index("indicator_id").loc[ind]
    assert (june.light, june.reason) == ("grey", "未填报：尚无实际完成值（灰灯）")
    # the same values again write nothing
    assert save_count_settings(seed_db, ADMIN, 1, [CountEdit(ind, "一次性", "6月:1")]) == 0


def test_a_bad_row_refuses_the_whole_save(seed_db: duckdb.DuckDBPyConnection) -> None:
    """Test that one bad milestone text refuses every row of the save, naming the indicator, and
    nothing is written; an owner may not edit natures at all."""
    ids = _ids(seed_db)
    edits = [CountEdit(ids["人民调解员培训次数"], "存量", None),
             CountEdit(ids["人民调解员培训次数"], "集中开展", "12月:2;6月:1")]
    with pytest.raises(ValidationError) as exc:
        save_count_settings(seed_db, ADMIN, 1, edits)
    assert "人民调解经费 第 1 个指标“人民调解员培训次数”：里程碑月份须逐个递增：12 月之后是 6 月。" in str(exc.value)
    with pytest.raises(ValidationError, match="性质须为 流量、存量、一次性、集中开展 之一，收到“季度”"):
        save_count_settings(seed_db, ADMIN, 1, [CountEdit(ids["人民调解员培训次数"], "季度", None)])
    with pytest.raises(store.PermissionDenied):
        save_count_settings(seed_db, store.Actor("zhang", "owner"), 1, [CountEdit(ids["人民调解员培训次数"], "存量", None)])
    assert seed_db.execute("SELECT count(*) FROM audit_log WHERE action LIKE 'indicator.%'").fetchone() == (0,)
    assert seed_db.execute("SELECT nature FROM indicators WHERE id = ?", [ids["人民调解员培训次数"]]).fetchone() == ("scheduled",)


# --------------------------------------------------------------------------------------------
# The page


@pytest.fixture
def page_db(tmp_path: Path, point_app: Callable[[Path], Path]) -> Iterator[Path]:
    """The seed database, sign-in off (a local admin unless PERFWATCH_ROLE says otherwise)."""
    path = tmp_path / "app.duckdb"
    dataset.open_seeded(path).close()
    yield point_app(path)


def test_page_offers_the_editor_to_the_admin(page_db: Path) -> None:
    """Test that an admin sees the natures section with the save button (disabled until a change)."""
    at = AppTest.from_file(str(REPO / "pages" / "targets" / "targets.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    assert any(h.value == "数量指标的性质与里程碑" for h in at.subheader)
    assert any("3月:2;6月:4;9月:6;12月:8" in c.value for c in at.caption)
    save = [b for b in at.button if b.label == "保存性质与里程碑"]
    assert len(save) == 1 and save[0].disabled


def test_editor_keeps_its_columns_in_view_and_lists_the_names_it_cuts(page_db: Path) -> None:
    """Test that the admin's editor fits 1366 px (900 px of grid) with 性质 and 里程碑 in view, its name
    columns as wide as that leaves, and the names still cut listed in full below it.

    By hand (14 px a Chinese character, 7 px other characters, 28 px cell padding): the fixed columns
    take 56 + 110 + 100 + 200 = 466 px, leaving 434 px for the two name columns. 项目/分项目标 is as wide
    as its header (6 × 14 + 7 + 28 = 119 px), which holds every 6-character project and 分项目标 name
    but not the two 39-character 冀财政法… transfers (28 × 14 + 11 × 7 + 28 = 497 px: no room with
    三级指标's own header). 三级指标 takes the rest, 434 − 119 = 315 px: it cuts
    “印刷宣传资料或制作法律援助宣传品 1000件以上” (19 × 14 + 5 × 7 + 28 = 329 px) and the 44-character
    监督指导… indicator; its next longest, “对县本级行政执法人员培训 100人次以上”, needs 280 px and fits."""
    import json

    at = AppTest.from_file(str(REPO / "pages" / "targets" / "targets.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    config = {k.split(":")[-1]: v for k, v in json.loads(at.data_editor[0].proto.columns).items()}
    assert {c: config[c]["width"] for c in ("项目/分项目标", "序号", "三级指标", "指标值", "性质", "里程碑")} == {
        "项目/分项目标": 119, "序号": 56, "三级指标": 315, "指标值": 110, "性质": 100, "里程碑": 200}
    boxes = {e.label: e.text[0].value.split("\n") for e in at.expander if "表中显示不全" in e.label}
    assert boxes == {
        "项目全称（表中显示不全的 2 个）": ["冀财政法2023年49号提前下达2024年中央政法纪检监察转移支付资金-司法局",
                                       "冀财政法2023年50号提前下达2024年省级基层公检法司转移支付资金-司法局"],
        "指标全称（表中显示不全的 2 个）": [
            "监督指导县直各部门认真落实“谁执法谁普法”普法责任制，组织开展法治宣传活动次数 3次以上",
            "印刷宣传资料或制作法律援助宣传品 1000件以上"],
    }


def test_page_is_read_only_for_a_leader(page_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test that a leader sees the natures as a table, without the save button."""
    monkeypatch.setenv("PERFWATCH_ROLE", "leader")
    at = AppTest.from_file(str(REPO / "pages" / "targets" / "targets.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    assert not [b for b in at.button if b.label == "保存性质与里程碑"]
    assert any("由管理员在此修改" in c.value for c in at.caption)


def test_rules_page_states_the_nature_and_stale_rules(page_db: Path) -> None:
    """Test that the 判定规则 page lists, in Chinese, the nature rules (stock on the full target,
    scheduled grey until 09-30) and the stale-result rule with its dated example."""
    at = AppTest.from_file(str(REPO / "pages" / "admin" / "admin_rules.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    texts = [t.value for t in at.text]
    nature = next(t for t in texts if t.startswith("数量指标按性质判断"))
    assert "存量（如维护的系统套数）从年初起按全年目标" in nature and "9月30日及之前为灰灯“未到期”" in nature
    assert "一次性" in nature and "最后一个里程碑月份，无里程碑为12月" in nature
    assert any(t.startswith("旧数值：") and "30件（截至7月31日）" in t for t in texts)


def _edit_row(page_db: Path, level3: str) -> int:
    """The editor row of ``level3``: the page lists count_settings_table(count_settings(…)) in this order."""
    conn = db.open_database(page_db, read_only=True)
    try:
        table = count_settings_table(count_settings(conn, 1))
    finally:
        conn.close()
    return int(table.index[table["三级指标"] == level3][0])


def test_page_edit_is_saved_and_audited(page_db: Path) -> None:
    """Test that an admin changing 人民调解员培训次数 to 一次性 with milestone 6月:1 in the page's editor
    and pressing 保存 writes both values (audited) and says so; a bad milestone shows the Chinese
    message naming the indicator and writes nothing."""
    row = _edit_row(page_db, "人民调解员培训次数")
    at = AppTest.from_file(str(REPO / "pages" / "targets" / "targets.py"), default_timeout=60).run()
    at.session_state["count_settings_1"] = {
        "edited_rows": {str(row): {"里程碑": "12月:2;6月:1"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    next(b for b in at.button if b.label == "保存性质与里程碑").click().run()
    assert not at.exception, at.exception
    assert any("人民调解员培训次数”：里程碑月份须逐个递增：12 月之后是 6 月。" in e.value for e in at.error)
    at.session_state["count_settings_1"] = {
        "edited_rows": {str(row): {"性质": "一次性", "里程碑": "6月:1"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    next(b for b in at.button if b.label == "保存性质与里程碑").click().run()
    assert not at.exception, at.exception
    assert any(s.value == "已保存 2 项修改（已记入操作日志）。" for s in at.success)
    st_cache_clear()
    conn = db.open_database(page_db, read_only=True)
    try:
        assert conn.execute(
            "SELECT i.nature, m.month, m.value FROM indicators i JOIN indicator_milestones m ON m.indicator_id = i.id "
            "WHERE i.level3 = '人民调解员培训次数'").fetchall() == [("one_off", 6, 1.0)]
        assert [a for (a,) in conn.execute(
            "SELECT action FROM audit_log WHERE action LIKE 'indicator.%' ORDER BY id").fetchall()] == [
            "indicator.nature.set", "indicator.milestones.set"]
    finally:
        conn.close()


def st_cache_clear() -> None:
    """Close the app's cached connection so the test can open the file itself."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def test_audit_log_reads_nature_and_milestone_changes_in_chinese() -> None:
    """Test that the 操作日志 shows these writes in Chinese: action, object, 性质 labels, milestones as text."""
    from perfwatch.audit_labels import action_label, entity_label, value_text

    assert action_label("indicator.nature.set") == "修改指标性质"
    assert action_label("indicator.milestones.set") == "修改指标里程碑"
    assert action_label("targets.milestones.update") == "导入时修改指标里程碑"
    assert entity_label("indicator_milestones") == "指标里程碑"
    assert value_text('{"nature": "one_off"}') == "性质：一次性"
    assert value_text('{"nature": null}') == "性质：—"
    assert value_text("[[6, 1.0], [12, 2.0]]") == "6月:1；12月:2"
    assert value_text("[]") == "（无）"

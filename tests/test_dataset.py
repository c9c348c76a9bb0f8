"""Loading targets: the default dataset's numbers, re-import in place, history, validation."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import duckdb
import pytest

from perfwatch import dataset, db, entry, store


def _scalar(conn: duckdb.DuckDBPyConnection, sql: str) -> Any:
    return conn.execute(sql).fetchone()[0]


def test_default_dataset_numbers(seed_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a fresh database holds 巨鹿县司法局 2024: 8 projects, 122.90 万元, 56 + sub-goal indicators."""
    assert seed_db.execute("SELECT code, name, fiscal_year FROM departments").fetchall() == [
        ("315001", "巨鹿县司法局本级", 2024)
    ]
    assert _scalar(seed_db, "SELECT count(*) FROM projects") == 8
    assert _scalar(seed_db, "SELECT sum(budget) FROM projects") == Decimal("122.90")
    assert _scalar(seed_db, "SELECT count(*) FROM indicators WHERE project_id IS NOT NULL") == 56
    assert _scalar(seed_db, "SELECT count(*) FROM goals") == 24
    assert _scalar(seed_db, "SELECT count(*) FROM sub_goals") == 4
    per_sub = seed_db.execute(
        "SELECT s.seq, count(i.id) FROM sub_goals s JOIN indicators i ON i.sub_goal_id = s.id GROUP BY s.seq ORDER BY s.seq"
    ).fetchall()
    assert per_sub == [(1, 8), (2, 3), (3, 8), (4, 4)]
    assert seed_db.execute(
        "SELECT name, budget FROM projects WHERE code = '13052924P00584012128B'"
    ).fetchone() == ("法律援助经费", Decimal("2.00"))
    plans = dict(seed_db.execute(
        "SELECT p.seq, string_agg(CAST(CAST(c.pct AS INTEGER) AS VARCHAR), '/' ORDER BY c.month) "
        "FROM projects p JOIN plan_checkpoints c ON c.project_id = p.id GROUP BY p.seq"
    ).fetchall())
    assert plans == {1: "25/50/75/100", 2: "25/50/75/100", 3: "8/50/75/100", 4: "8/50/75/100",
                     5: "8/50/75/100", 6: "25/50/75/100", 7: "25/50/75/100", 8: "25/50/75/100"}
    assert seed_db.execute(
        "SELECT DISTINCT month FROM plan_checkpoints ORDER BY month"
    ).fetchall() == [(3,), (6,), (10,), (12,)]


def test_default_dataset_is_a_reviewable_file() -> None:
    """Test that the default dataset lives in data/ as JSON (not in code) and passes validation."""
    assert dataset.DEFAULT_DATASET.parent == db.REPO_ROOT / "data"
    data = dataset.read_dataset(dataset.DEFAULT_DATASET)
    assert len(data["projects"]) == 8


def test_second_start_does_not_load_again(seed_db_path) -> None:
    """Test that opening an initialised database again adds nothing."""
    conn = db.open_database(seed_db_path)
    assert _scalar(conn, "SELECT count(*) FROM projects") == 8
    assert _scalar(conn, "SELECT count(*) FROM departments") == 1
    conn.close()


def test_reimport_same_data_changes_nothing(mini_db: duckdb.DuckDBPyConnection, mini_data: dict) -> None:
    """Test that importing the same targets twice neither duplicates rows nor writes history."""
    audit_before = _scalar(mini_db, "SELECT count(*) FROM audit_log")
    summary = dataset.load_targets(mini_db, store.SYSTEM, mini_data)
    assert (summary.projects_added, summary.projects_updated, summary.indicators_added,
            summary.indicators_updated) == (0, 0, 0, 0)
    assert _scalar(mini_db, "SELECT count(*) FROM indicators") == 5
    assert _scalar(mini_db, "SELECT count(*) FROM audit_log") == audit_before


def test_reimport_updates_in_place_keeps_history_and_results(mini_db: duckdb.DuckDBPyConnection, mini_data: dict) -> None:
    """Test that a changed re-import updates by code/path, audits the old value and retires vanished indicators."""
    ind_id = _scalar(mini_db, "SELECT id FROM indicators WHERE level3 = '服务对象满意度'")
    entry.record_result(mini_db, store.SYSTEM, ind_id, __import__("datetime").date(2024, 6, 30), value=95)
    new = copy.deepcopy(mini_data)
    p1 = new["projects"][0]
    p1["budget"] = 12.5
    p1["indicators"][0]["target_text"] = "≥120 件"
    p1["indicators"][0]["value"] = 120
    del p1["indicators"][2]  # the satisfaction indicator disappears
    summary = dataset.load_targets(mini_db, store.SYSTEM, new)
    assert summary.projects_updated == 1 and summary.indicators_updated == 1 and summary.indicators_retired == 1
    assert any("服务对象满意度" in w for w in summary.warnings)
    assert _scalar(mini_db, "SELECT budget FROM projects WHERE code = 'P001'") == Decimal("12.50")
    assert _scalar(mini_db, "SELECT count(*) FROM indicators") == 5  # nothing deleted
    assert _scalar(mini_db, f"SELECT retired FROM indicators WHERE id = {ind_id}") is True
    assert _scalar(mini_db, f"SELECT count(*) FROM indicator_results WHERE indicator_id = {ind_id}") == 1
    old = json.loads(_scalar(mini_db, "SELECT old_value FROM audit_log WHERE action = 'targets.project.update'"))
    assert old["budget"] == 10.0
    # the indicator comes back: same row, un-retired
    dataset.load_targets(mini_db, store.SYSTEM, mini_data)
    assert _scalar(mini_db, f"SELECT retired FROM indicators WHERE id = {ind_id}") is False
    assert _scalar(mini_db, "SELECT count(*) FROM indicators") == 5


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["projects"][0].pop("code"), "缺少字段 code"),                    # required field missing
        (lambda d: d["projects"][0].update(budget=-1), "不能为负数"),                  # negative budget
        (lambda d: d["projects"][0]["plan"].append({"month": 13, "pct": 100}), "超出范围"),  # month 13
        (lambda d: d["projects"][1].update(code="P001"), "重复"),                      # duplicate project code
        (lambda d: d["projects"][0]["indicators"][0].update(kind="banana"), "kind"),  # unknown kind
        (lambda d: d["projects"][0].update(department_code="000000"), "不在 departments"),  # orphan project
        (lambda d: d["projects"][0]["indicators"][1].update(deadline="12/31"), "MM-DD"),  # bad deadline
    ],
)
def test_invalid_dataset_is_refused_and_nothing_written(
    empty_db: duckdb.DuckDBPyConnection, mini_data: dict, mutate: Any, message: str
) -> None:
    """Test that a malformed dataset is refused with a message naming the problem, writing nothing."""
    mutate(mini_data)
    with pytest.raises(store.ValidationError, match=message):
        dataset.load_targets(empty_db, store.SYSTEM, mini_data)
    assert _scalar(empty_db, "SELECT count(*) FROM departments") == 0
    assert _scalar(empty_db, "SELECT count(*) FROM audit_log") == 0


def test_failure_half_way_rolls_back(empty_db: duckdb.DuckDBPyConnection, mini_data: dict, monkeypatch) -> None:
    """Test that an error after some rows were written leaves the database as before (all or nothing)."""
    real = dataset._sync_indicators
    calls = {"n": 0}

    def boom(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        real(*args, **kwargs)

    monkeypatch.setattr(dataset, "_sync_indicators", boom)
    with pytest.raises(RuntimeError):
        dataset.load_targets(empty_db, store.SYSTEM, mini_data)
    for table in ("departments", "projects", "indicators", "plan_checkpoints", "audit_log"):
        assert _scalar(empty_db, f"SELECT count(*) FROM {table}") == 0, table


def test_only_admin_may_import_targets(empty_db: duckdb.DuckDBPyConnection, mini_data: dict) -> None:
    """Test that the write path refuses a targets import by a finance user."""
    with pytest.raises(store.PermissionDenied):
        dataset.load_targets(empty_db, store.Actor("fin", "finance"), mini_data)
    dataset.load_targets(empty_db, store.Actor("adm", "admin"), mini_data)
    assert _scalar(empty_db, "SELECT actor FROM audit_log LIMIT 1") == "adm"


def test_a_project_seq_given_as_null_takes_its_position(
    empty_db: duckdb.DuckDBPyConnection, mini_data: dict[str, Any]
) -> None:
    """Test that "seq": null (optional in the format) numbers the project by its position instead of failing."""
    data = copy.deepcopy(mini_data)
    data["projects"][1]["seq"] = None
    dataset.load_targets(empty_db, store.SYSTEM, data)
    # The second project of the file: position 2.
    code = data["projects"][1]["code"]
    assert empty_db.execute("SELECT seq FROM projects WHERE code = ?", [code]).fetchone() == (2,)


def test_nature_given_guessed_and_kept(empty_db: duckdb.DuckDBPyConnection, mini_data: dict) -> None:
    """Test the count nature on import: the dataset's own value is stored, a count without one gets the
    importer's guess, a nature set later survives a re-import, and a bad value is refused (nothing written)."""
    data = copy.deepcopy(mini_data)
    data["projects"][0]["indicators"][0]["nature"] = "stock"  # 办案数量 ≥100 件, declared a stock
    dataset.load_targets(empty_db, store.SYSTEM, data)
    natures = dict(empty_db.execute("SELECT level3, nature FROM indicators").fetchall())
    assert natures["办案数量"] == "stock"
    # 组织培训不少于 2次: no nature given; a training counted in 次 is a scheduled event → the guess "scheduled"
    assert natures["组织培训不少于 2次"] == "scheduled"
    # not a count: no nature
    assert natures["经费保障及时性"] is None
    # a person sets the training to flow; re-importing the file without a nature keeps it (not the guess)
    empty_db.execute("UPDATE indicators SET nature = 'flow' WHERE level3 = '组织培训不少于 2次'")
    dataset.load_targets(empty_db, store.SYSTEM, data)
    assert _scalar(empty_db, "SELECT nature FROM indicators WHERE level3 = '组织培训不少于 2次'") == "flow"
    bad = copy.deepcopy(mini_data)
    bad["projects"][0]["indicators"][0]["nature"] = "存量"
    with pytest.raises(store.ValidationError, match="nature 须为"):
        dataset.validate_dataset(bad)


def test_milestones_given_kept_cleared_and_exported(empty_db: duckdb.DuckDBPyConnection, mini_data: dict) -> None:
    """Test the dataset's milestones: written with an audit row, kept when a later file gives none,
    cleared by an empty list, exported as given; refused on a non-count or with a bad month."""
    data = copy.deepcopy(mini_data)
    training = data["departments"][0]["sub_goals"][0]["indicators"][0]     # 组织培训不少于 2次
    training["milestones"] = [{"month": 6, "value": 1}, {"month": 12, "value": 2}]
    dataset.load_targets(empty_db, store.SYSTEM, data)
    held = "SELECT month, value FROM indicator_milestones ORDER BY month"
    assert empty_db.execute(held).fetchall() == [(6, 1.0), (12, 2.0)]
    exported = dataset.export_dataset(empty_db)["departments"][0]["sub_goals"][0]["indicators"][0]
    assert exported["milestones"] == [{"month": 6, "value": 1.0}, {"month": 12, "value": 2.0}]
    assert exported["nature"] == "scheduled"  # the guess, stored
    dataset.load_targets(empty_db, store.SYSTEM, mini_data)                 # no milestones key: kept
    assert empty_db.execute(held).fetchall() == [(6, 1.0), (12, 2.0)]
    training["milestones"] = []                                             # an empty list clears them
    dataset.load_targets(empty_db, store.SYSTEM, data)
    assert empty_db.execute(held).fetchall() == []
    assert [r[0] for r in empty_db.execute(
        "SELECT new_value FROM audit_log WHERE action = 'targets.milestones.update' ORDER BY id").fetchall()] == [
        "[[6, 1.0], [12, 2.0]]", "[]"]
    bad = copy.deepcopy(mini_data)
    bad["projects"][0]["indicators"][1]["milestones"] = [{"month": 6, "value": 1}]   # 经费保障及时性, a deadline
    with pytest.raises(store.ValidationError, match="milestones 只适用于数量指标"):
        dataset.validate_dataset(bad)
    bad = copy.deepcopy(mini_data)
    bad["projects"][0]["indicators"][0]["milestones"] = [{"month": 13, "value": 1}]
    with pytest.raises(store.ValidationError, match="指标#1：里程碑月份 13 超出范围"):
        dataset.validate_dataset(bad)

"""Each role against each write: refused (PermissionDenied, nothing written) or done.

The actors are built from the database the way sign-in builds them (auth.actor_for), so an
owner's projects come from user_projects, not from the test.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from perfwatch import attachments, auth, backup, dataset, db, declarations, entry, review, store
from perfwatch.store import Actor, PermissionDenied

FIXTURES = Path(__file__).parent / "fixtures"
PASSWORD = "role-test-password"
AS_OF = dt.date(2024, 7, 31)
ROLES = ("leader", "finance", "owner", "admin")
USER_OF_ROLE = {"leader": "boss", "finance": "li", "owner": "zhang", "admin": "admin"}


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini dataset with one account per role (owner of P001 only), built once per module:
    hashing passwords is deliberately slow, so each test copies this file instead."""
    path = tmp_path_factory.mktemp("roles") / "template.duckdb"
    conn = db.open_database(path)
    dataset.load_targets(conn, store.SYSTEM, json.loads((FIXTURES / "mini.targets.json").read_text(encoding="utf-8")))
    auth.create_first_admin(conn, "admin", PASSWORD)
    admin = Actor("admin", "admin")
    auth.create_user(conn, admin, "boss", "leader", PASSWORD, "领导")
    auth.create_user(conn, admin, "li", "finance", PASSWORD, "李四")
    auth.create_user(conn, admin, "zhang", "owner", PASSWORD, "张三", ["P001"])
    conn.close()
    return path


@pytest.fixture
def conn(template_db: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A private copy of the template database."""
    path = tmp_path / "roles.duckdb"
    shutil.copy(template_db, path)
    c = db.open_database(path)
    yield c
    c.close()


def _ids(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    def one(sql: str, *params: object) -> int:
        return int(conn.execute(sql, list(params)).fetchone()[0])

    return {
        "p1": one("SELECT id FROM projects WHERE code = 'P001'"),
        "p2": one("SELECT id FROM projects WHERE code = 'P002'"),
        "ind1": one("SELECT min(i.id) FROM indicators i JOIN projects p ON p.id = i.project_id WHERE p.code = 'P001'"),
        "ind2": one("SELECT min(i.id) FROM indicators i JOIN projects p ON p.id = i.project_id WHERE p.code = 'P002'"),
        "dept": one("SELECT id FROM departments"),
    }


def _mini() -> dict:
    data = json.loads((FIXTURES / "mini.targets.json").read_text(encoding="utf-8"))
    data["projects"][0]["name"] = "甲项目（修订）"
    return data


def _declared(project_id: int) -> declarations.Declaration:
    """A full July declaration (nothing spent yet: the pace light is red, so causes and a measure)."""
    return declarations.Declaration(project_id, AS_OF, "9", ("经费保障",), "资金尚未下达。", "下达后集中支付。", "进展顺利")


Write = Callable[[duckdb.DuckDBPyConnection, Actor, dict[str, int]], object]

# name -> (the write, roles that may do it)
WRITES: dict[str, tuple[Write, frozenset[str]]] = {
    "entry.record_spend": (lambda c, a, i: entry.record_spend(c, a, i["p1"], AS_OF, 1.5), frozenset({"finance"})),
    "entry.record_result own project": (
        lambda c, a, i: entry.record_result(c, a, i["ind1"], AS_OF, value=50, cause_categories=["其他"], cause_text="原因",
                                            measure="措施", projected_text="预计年底完成"),
        frozenset({"owner"})),
    "entry.record_result other project": (
        lambda c, a, i: entry.record_result(c, a, i["ind2"], AS_OF, value=5), frozenset()),
    "entry.record_project_report own project": (
        lambda c, a, i: entry.record_project_report(c, a, i["p1"], AS_OF, projected_amount=9), frozenset({"finance", "owner"})),
    "entry.record_project_report other project": (
        lambda c, a, i: entry.record_project_report(c, a, i["p2"], AS_OF, projected_amount=9), frozenset({"finance"})),
    # The monitoring round: round.declare / round.submit / round.attach (owner: own projects) and
    # round.review (finance only); a leader only reads.
    "declarations.save own project (round.declare)": (
        lambda c, a, i: declarations.save(c, a, [_declared(i["p1"])]),
        frozenset({"finance", "owner"})),
    "declarations.save other project (round.declare)": (
        lambda c, a, i: declarations.save(c, a, [_declared(i["p2"])]),
        frozenset({"finance"})),
    "review.submit own project (round.submit)": (
        lambda c, a, i: review.submit(c, a, i["p1"], AS_OF), frozenset({"finance", "owner"})),
    "review.approve (round.review)": (lambda c, a, i: review.approve(c, a, i["p1"], AS_OF), frozenset({"finance"})),
    "review.send_back (round.review)": (
        lambda c, a, i: review.send_back(c, a, i["p1"], AS_OF, "请补充佐证材料。"), frozenset({"finance"})),
    "attachments.add own project (round.attach)": (
        lambda c, a, i: attachments.add(c, a, i["p1"], AS_OF, "签到表.pdf", b"%PDF-1.4\n%%EOF\n"),
        frozenset({"finance", "owner"})),
    "store.set_setting": (lambda c, a, i: store.set_setting(c, a, auth.SETTING_IDLE_TIMEOUT, 20), frozenset({"admin"})),
    "dataset.load_targets": (lambda c, a, i: dataset.load_targets(c, a, _mini()), frozenset({"admin"})),
    "auth.create_user": (lambda c, a, i: auth.create_user(c, a, "newbie", "leader", PASSWORD), frozenset({"admin"})),
    "auth.reset_password": (lambda c, a, i: auth.reset_password(c, a, "boss", "another-password"), frozenset({"admin"})),
    "auth.disable_user": (lambda c, a, i: auth.disable_user(c, a, "boss"), frozenset({"admin"})),
    "auth.update_user": (lambda c, a, i: auth.update_user(c, a, "boss", display_name="新领导"), frozenset({"admin"})),
    "auth.assign_projects": (lambda c, a, i: auth.assign_projects(c, a, "zhang", ["P001", "P002"]), frozenset({"admin"})),
    # Backups go beside the database file (its temp_directory is "<file>.tmp" in the test's tmp_path).
    "backup.create_backup": (lambda c, a, i: backup.create_backup(c, a, Path(str(c.execute(
        "SELECT current_setting('temp_directory')").fetchone()[0])).parent / "bk"), frozenset({"admin"})),
}

try:  # the data-entry engineer's period locks, when present
    from perfwatch import entry

    WRITES["entry.set_lock (lock)"] = (
        lambda c, a, i: entry.set_lock(c, a, i["dept"], [dt.date(2024, 6, 1)], True), frozenset({"finance", "admin"}))

    def _unlock(c: duckdb.DuckDBPyConnection, a: Actor, i: dict[str, int]) -> object:
        return entry.set_lock(c, a, i["dept"], [dt.date(2024, 6, 1)], False)

    WRITES["entry.set_lock (unlock)"] = (_unlock, frozenset({"admin"}))
except ImportError:  # pragma: no cover - feature not built yet
    pass


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write_name", list(WRITES))
def test_each_role_against_each_write(conn: duckdb.DuckDBPyConnection, write_name: str, role: str) -> None:
    """Test that a write succeeds for the roles allowed to do it and is refused, writing nothing, for the others."""
    write, allowed = WRITES[write_name]
    ids = _ids(conn)
    if write_name == "entry.set_lock (unlock)":
        entry.set_lock(conn, store.SYSTEM, ids["dept"], [dt.date(2024, 6, 1)], True)
    if write_name.startswith(("review.", "attachments.")):  # a declared round (submitted, to be reviewed)
        declarations.save(conn, store.SYSTEM, [_declared(ids["p1"])])
        if write_name.startswith(("review.approve", "review.send_back")):
            review.submit(conn, store.SYSTEM, ids["p1"], AS_OF)
    actor = auth.actor_for(conn, USER_OF_ROLE[role])
    assert actor is not None and actor.role == role
    before = backup.snapshot(conn)
    if role in allowed:
        write(conn, actor, ids)
        assert backup.snapshot(conn) != before
        assert conn.execute("SELECT count(*) FROM audit_log WHERE actor = ?", [actor.username]).fetchone()[0] >= 1
    else:
        with pytest.raises(PermissionDenied):
            write(conn, actor, ids)
        assert backup.snapshot(conn) == before


def test_owner_actor_from_sign_in_is_limited_to_assigned_projects(conn: duckdb.DuckDBPyConnection) -> None:
    """Test that the actor sign-in returns for an owner carries the assignment from the database."""
    ids = _ids(conn)
    actor = auth.authenticate(conn, "zhang", PASSWORD)
    assert actor.project_ids == frozenset({ids["p1"]})
    # A low value is red: the form asks for a category, a sentence, a measure and 全年预计完成情况.
    why = {"cause_categories": ["其他"], "cause_text": "原因", "measure": "措施", "projected_text": "预计年底完成"}
    entry.record_result(conn, actor, ids["ind1"], AS_OF, value=1, **why)
    with pytest.raises(PermissionDenied, match="不是该项目的负责人"):
        entry.record_result(conn, actor, ids["ind2"], AS_OF, value=1)
    auth.assign_projects(conn, Actor("admin", "admin"), "zhang", ["P002"])
    moved = auth.actor_for(conn, "zhang")
    assert moved is not None
    entry.record_result(conn, moved, ids["ind2"], AS_OF, value=1, **why)
    with pytest.raises(PermissionDenied):
        entry.record_result(conn, moved, ids["ind1"], AS_OF, value=2)


def test_every_permission_has_a_chinese_name() -> None:
    """Test that each permission reads in Chinese wherever it is listed (the 角色与权限 table,
    refusals, the 操作日志), and that review is finance's alone."""
    from perfwatch.audit_labels import action_label

    for action in store.PERMISSIONS:
        for shown in (store.permission_label(action), action_label(action)):
            assert shown != action and not any("a" <= ch.lower() <= "z" for ch in shown), (action, shown)
    table = {r["权限"]: r["角色"] for r in store.permission_table()}
    assert table["审核项目填报（通过或退回）"] == "财务"
    assert table["提交审核"] == "财务、项目负责人"
    with pytest.raises(PermissionDenied, match="^boss（领导） 无权填报项目情况"):
        store.authorize(Actor("boss", "leader"), "round.declare")


def test_a_page_guard_is_not_the_only_guard() -> None:
    """Test that every action the admin pages take is in store.PERMISSIONS for admins only."""
    for action in ("user.manage", "assignment.manage", "settings.update", "targets.import"):
        assert {r for r in store.PERMISSIONS[action] if r != "system"} == {"admin"}

"""The sign-in frame and the admin pages under AppTest (no browser), with sign-in ON.

``reload()`` starts a new run through dashboard.py with the session's sign-in state (what a real
server does on every rerun), and ``open_directly()`` shows that a page file run without the frame
is still guarded.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from perfwatch import auth, dataset, db, navigation, store
from perfwatch.store import Actor

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
PASSWORD = "page-test-password"
ADMIN = Actor("admin", "admin")
HOSTILE_NAME = "<script>alert(1)</script>'); DROP TABLE users; --"


def _build(path: Path, with_users: bool) -> None:
    conn = db.open_database(path)
    dataset.load_targets(conn, store.SYSTEM, json.loads((FIXTURES / "mini.targets.json").read_text(encoding="utf-8")))
    if with_users:
        auth.create_first_admin(conn, "admin", PASSWORD, "管理员甲")
        auth.create_user(conn, ADMIN, "li", "finance", PASSWORD, "李四")
        auth.create_user(conn, ADMIN, "zhang", "owner", PASSWORD, "张三", ["P001"])
    conn.close()


@pytest.fixture
def app_db(tmp_path: Path, point_app: Callable[..., Path]) -> Path:
    """The mini dataset with an admin, a finance user and an owner; sign-in required (no
    PERFWATCH_AUTH), and no cache leaking between tests."""
    path = tmp_path / "app.duckdb"
    _build(path, with_users=True)
    return point_app(path, sign_in=True)


def app_conn(path: Path) -> duckdb.DuckDBPyConnection:
    """The app's own cached connection (DuckDB allows one read-write connection per file)."""
    from perfwatch import web

    return web._connection(str(path))


def start() -> AppTest:
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    return at


SESSION_KEYS = ("actor", "auth_last_seen", "auth_notice")


def reload(at: AppTest) -> AppTest:
    """A page load of the same session through dashboard.py (what a real server does on every rerun)."""
    new = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60)
    for key in SESSION_KEYS:
        if key in at.session_state:
            new.session_state[key] = at.session_state[key]
    new.run()
    assert not new.exception, new.exception
    return new


def open_directly(at: AppTest, page: str) -> AppTest:
    """Run the page file on its own, without the frame, in the same session (as AppTest and a
    hand-typed script run do): the page's own guard must refuse what the menu hides."""
    new = AppTest.from_file(str(REPO / page), default_timeout=60)
    for key in SESSION_KEYS:
        if key in at.session_state:
            new.session_state[key] = at.session_state[key]
    new.run()
    assert not new.exception, new.exception
    return new


def sign_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


def test_before_sign_in_only_the_sign_in_page(app_db: Path) -> None:
    """Test that an anonymous visitor gets the sign-in form, and a page opened directly shows no data."""
    at = start()
    assert titles(at) == ["绩效运行监控看板 · 登录"]
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert "actor" not in at.session_state
    with pytest.raises(ValueError):  # not in the anonymous visitor's navigation
        at.switch_page("pages/targets/targets.py")
    page = open_directly(at, "pages/targets/targets.py")
    assert "请先登录" in errors(page) and not page.dataframe and not page.metric
    page = open_directly(at, "pages/admin/admin_audit.py")
    assert "请先登录" in errors(page) and not page.dataframe


def test_wrong_password_then_rate_limit_then_right_password(app_db: Path) -> None:
    """Test that wrong passwords are refused with one message and the sixth attempt is locked out."""
    at = start()
    for _ in range(auth.MAX_FAILURES):
        sign_in(at, "li", "not-the-password")
        assert auth.WRONG_CREDENTIALS in errors(at)
    sign_in(at, "li", PASSWORD)
    assert "次数过多" in errors(at) and "actor" not in at.session_state
    sign_in(at, "zhang", PASSWORD)  # another account is not affected
    assert at.session_state["actor"].username == "zhang"


def test_first_start_creates_the_admin(app_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test that a database without accounts asks for the first admin, who is then signed in."""
    fresh = tmp_path / "fresh.duckdb"
    _build(fresh, with_users=False)
    monkeypatch.setenv(db.ENV_DB, str(fresh))
    at = start()
    assert titles(at) == ["创建管理员账号"]
    labels = [t.label for t in at.text_input]
    assert labels[0] == "用户名" and "密码" in labels[2]
    at.text_input[0].input("boss")
    at.text_input[1].input("局长")
    at.text_input[2].input("first-admin-pw")
    at.text_input[3].input("different-pw")
    at.button[0].click().run()
    assert "不一致" in errors(at) and "actor" not in at.session_state
    at.text_input[3].input("first-admin-pw")
    at.button[0].click().run()
    assert at.session_state["actor"] == Actor("boss", "admin")
    at = reload(at)
    assert any("局长" in m.value for m in at.sidebar.markdown)
    at.switch_page("pages/admin/admin_users.py").run()
    assert titles(at) == ["用户管理"]
    assert list(at.dataframe[0].value["用户名"]) == ["boss"]
    rights = at.dataframe[1].value.set_index("权限")["角色"]  # the round's permissions by their Chinese names
    assert rights["审核项目填报（通过或退回）"] == "财务" and rights["上传或移除佐证材料"] == "财务、项目负责人"


def test_owner_menu_has_no_admin_pages_and_admin_pages_refuse_the_owner(app_db: Path) -> None:
    """Test that an owner is signed in with the projects from the database, sees no 系统管理 section,
    and every admin page refuses them."""
    at = sign_in(start(), "zhang")
    actor = at.session_state["actor"]
    p1 = app_conn(app_db).execute("SELECT id FROM projects WHERE code = 'P001'").fetchone()[0]
    assert actor.role == "owner" and actor.project_ids == frozenset({p1})
    at = reload(at)
    assert any("张三" in m.value and "项目负责人" in m.value for m in at.sidebar.markdown)
    with pytest.raises(ValueError):  # not in the owner's navigation
        at.switch_page("pages/admin/admin_users.py")
    menu = navigation.pages_for("owner")
    assert "系统管理" not in menu
    assert not {p.path for specs in menu.values() for p in specs} & {"pages/admin/admin_users.py", "pages/admin/admin_audit.py",
                                                                     "pages/admin/admin_backup.py"}
    for page in ("pages/admin/admin_users.py", "pages/admin/admin_audit.py", "pages/admin/admin_backup.py", "pages/entry/entry_spend.py"):
        direct = open_directly(at, page)
        assert "无权访问" in errors(direct) and not direct.dataframe
        assert not [b for b in direct.button if b.label in ("立即备份", "添加")]


def test_sign_out_and_idle_timeout(app_db: Path) -> None:
    """Test that 退出登录 ends the session and that 30 idle minutes sign the visitor out."""
    at = reload(sign_in(start(), "li"))
    assert [b.label for b in at.sidebar.button] == ["退出登录"]
    at.sidebar.button[0].click().run()
    assert "actor" not in at.session_state

    at = reload(sign_in(start(), "li"))
    at.session_state["auth_last_seen"] = dt.datetime.now() - dt.timedelta(minutes=29)
    at = reload(at)
    assert at.session_state["actor"].username == "li"
    at.session_state["auth_last_seen"] = dt.datetime.now() - dt.timedelta(minutes=31)
    at = reload(at)
    assert "actor" not in at.session_state
    assert titles(at) == ["绩效运行监控看板 · 登录"]
    assert any("自动退出" in i.value for i in at.info)


def test_disabling_an_account_ends_its_open_session(app_db: Path) -> None:
    """Test that a session of an account disabled meanwhile is signed out on its next page load."""
    at = reload(sign_in(start(), "li"))
    auth.disable_user(app_conn(app_db), ADMIN, "li")
    at = reload(at)
    assert "actor" not in at.session_state and titles(at) == ["绩效运行监控看板 · 登录"]


def test_admin_adds_a_user_and_the_audit_log_shows_it(app_db: Path) -> None:
    """Test the 用户管理 add form (hostile display name kept as text) and the 操作日志 filters and exports."""
    at = reload(sign_in(start(), "admin"))
    at.switch_page("pages/admin/admin_users.py").run()
    assert titles(at) == ["用户管理"]
    at.text_input(key="add_username").input("wang")
    at.text_input(key="add_display_name").input(HOSTILE_NAME)
    at.text_input(key="add_password").input("teacup-orbit-42")
    at.selectbox(key="add_role").set_value("owner")
    at.multiselect(key="add_projects").set_value(["P002"])
    [b for b in at.button if b.label == "添加"][0].click().run()
    assert not at.exception, at.exception
    assert any("已添加用户 wang" in s.value for s in at.success), errors(at)
    table = at.dataframe[0].value
    row = table[table["用户名"] == "wang"].iloc[0]
    assert row["姓名"] == HOSTILE_NAME and row["角色"] == "项目负责人" and row["负责项目"] == "P002"

    at.switch_page("pages/admin/admin_audit.py").run()
    assert titles(at) == ["操作日志"] and not at.exception
    log = at.dataframe[0].value
    created = log[log["操作"] == "新建用户"]  # user.create, in Chinese (issue 15 item 4)
    assert len(created) == 3 and created["新值"].str.contains("wang").any()
    assert not log["新值"].fillna("").str.contains("teacup-orbit-42").any()
    at.selectbox[1].set_value("user.create").run()
    assert set(at.dataframe[0].value["操作"]) == {"新建用户"}
    assert not log["对象"].isin(["users", "user_projects"]).any() and not log["新值"].str.contains("username").any()
    downloads = at.get("download_button")
    assert len(downloads) == 2


def test_public_meeting_screen_setting(app_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test that anonymous visitors see public pages only when the setting is on, and never others."""
    specs = tuple(p if p.path != "pages/targets/targets.py" else navigation.replace(p, public=True) for p in navigation.PAGES)
    monkeypatch.setattr(navigation, "PAGES", specs)
    at = start()
    assert titles(at) == ["绩效运行监控看板 · 登录"]
    store.set_setting(app_conn(app_db), ADMIN, auth.SETTING_PUBLIC_SCREEN, True)
    at = start()
    assert titles(at) == ["项目与绩效目标"] and at.metric
    assert "actor" not in at.session_state
    with pytest.raises(ValueError):  # only public pages (and 登录) are in the visitor's navigation
        at.switch_page("pages/monitor/overview.py")
    page = open_directly(at, "pages/monitor/overview.py")
    assert ("无权访问" in errors(page) or "请先登录" in errors(page)) and not page.metric


def test_dev_escape_only_without_accounts(app_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test that PERFWATCH_AUTH=off is ignored once the database has accounts."""
    monkeypatch.setenv("PERFWATCH_AUTH", "off")
    at = start()
    assert titles(at) == ["绩效运行监控看板 · 登录"]


def test_audit_row_detail_shows_the_full_values(app_db: Path) -> None:
    """Test that picking a row of the 操作日志 shows its whole new value below the table (the cell is cut)."""
    at = reload(sign_in(start(), "admin"))
    at.switch_page("pages/admin/admin_audit.py").run()
    log = at.dataframe[0].value
    first = log.iloc[0]
    at.session_state["audit_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    texts = [t.value for t in at.text]
    assert first["新值"] in texts, texts
    assert any(f"第 {first['编号']} 条" in m.value for m in at.markdown)

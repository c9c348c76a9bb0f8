"""A walk of every page as each role (and the public meeting screen) under AppTest, on the seed
targets with the demo's data and real accounts: nothing on screen says None/nan or shows a raw
code (permission or action codes, table names, English JSON keys, "cli:root")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from perfwatch import auth, db, demo, entry, store
from perfwatch.navigation import LOGIN_PAGE, pages_for
from tests.screen_text import app_texts, bad_tokens

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "walk-test-password"
ADMIN = store.Actor("admin", "admin")
OWNER_CODES = ["13052924P00584012128B", "13052924P00584210790E"]
USERS = {"admin": "admin", "finance": "cai", "owner": "xiang", "leader": "ling"}
# English the app shows on purpose: the column headers a spend file may use (the import help lists them so
# a person can name their columns), and the user names of the accounts (people's own data).
ALLOWED = {"project_code", "date", "amount", "root", *USERS.values()}
CLI = store.Actor("cli:root", "system")  # the command line's actor, as perfwatch.cli names it


@pytest.fixture(scope="module")
def walk_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database (seed targets, spend and results to July 2024) with an account per role,
    the public meeting screen on, a month locked and a figure entered from the command line: the rows whose raw codes
    (user.create, period.lock, settings) the 操作日志 must show in Chinese."""
    path = tmp_path_factory.mktemp("walk") / "walk.duckdb"
    demo.ensure_demo_db(path)
    conn = db.open_database(path)
    try:
        auth.create_first_admin(conn, USERS["admin"], PASSWORD, "管理员甲")
        auth.create_user(conn, ADMIN, USERS["finance"], "finance", PASSWORD, "财务乙")
        auth.create_user(conn, ADMIN, USERS["owner"], "owner", PASSWORD, "项目丙", OWNER_CODES)
        auth.create_user(conn, ADMIN, USERS["leader"], "leader", PASSWORD, "领导丁")
        store.set_setting(conn, ADMIN, auth.SETTING_PUBLIC_SCREEN, True)
        entry.set_lock(conn, CLI, 1, [dt.date(2024, 1, 1)], True)
        project = next(p for p in entry.projects_all(conn) if p.code == OWNER_CODES[0])
        entry.record_spend(conn, CLI, project.id, dt.date(2024, 7, 1), 0.3)
    finally:
        conn.close()
    return path


@pytest.fixture
def app_on(walk_db: Path, point_app: Callable[..., Path]) -> Path:
    return point_app(walk_db, sign_in=True)


def _problems(at: AppTest, where: str) -> list[str]:
    out = [f"{where}: exception {e.value[:200]}" for e in at.exception]
    for kind, text in app_texts(at):
        for token in bad_tokens(text, allowed=ALLOWED):
            out.append(f"{where}: {kind} shows {token!r} in {text[:160]!r}")
    return out


def _walk(at: AppTest, role: str | None, *, public_only: bool = False) -> list[str]:
    problems = _problems(at, "first page")
    for specs in pages_for(role, public_only=public_only).values():
        for spec in specs:
            at.switch_page(spec.path).run()
            problems += _problems(at, f"{spec.title}（{spec.path}）")
    return problems


@pytest.mark.parametrize("role", ["admin", "finance", "owner", "leader"])
def test_every_page_of_a_role_shows_no_none_and_no_raw_code(app_on: Path, role: str) -> None:
    """Test that every menu page of the role, signed in on the demo data, shows no None/nan and no raw code."""
    conn = db.open_database(app_on)
    try:
        actor = auth.actor_for(conn, USERS[role])
    finally:
        conn.close()
    assert actor is not None and actor.role == role
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=90)
    at.session_state["actor"] = actor
    at.session_state["auth_last_seen"] = dt.datetime.now()
    at.run()
    assert "actor" in at.session_state, "the walk must run signed in"
    problems = _walk(at, role)
    assert not problems, "\n".join(problems)


def test_public_meeting_screen_shows_no_none_and_no_raw_code(app_on: Path) -> None:
    """Test that the public meeting screen and the sign-in page (no sign-in) show no None/nan and no raw code."""
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=90).run()
    assert "actor" not in at.session_state
    problems = _walk(at, "leader", public_only=True)
    at.switch_page(LOGIN_PAGE.path).run()  # the sign-in page, reachable from the public screen
    problems += _problems(at, LOGIN_PAGE.title)
    assert any(t.label == "用户名" for t in at.text_input), "the sign-in form must be on the page"
    assert not problems, "\n".join(problems)


def test_attachment_uploader_states_the_attachment_limit(app_on: Path) -> None:
    """Test that the 佐证材料 uploader names one limit, the attachments' 10 MB (perfwatch.attachments.MAX_BYTES),
    not the server's 20 MB general upload limit."""
    conn = db.open_database(app_on)
    try:
        actor = auth.actor_for(conn, USERS["owner"])
    finally:
        conn.close()
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=90)
    at.session_state["actor"] = actor
    at.session_state["auth_last_seen"] = dt.datetime.now()
    at.run()
    at.switch_page("pages/entry/project_report.py").run()
    line = next(c.value for c in at.caption if c.value.startswith("支持 PDF"))  # the attachment uploader's own line
    assert line.endswith("单个文件不超过 10 MB。"), line

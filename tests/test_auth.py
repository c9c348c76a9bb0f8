"""Accounts and sign-in: hashing, the first admin, wrong passwords, the rate limit, sessions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from perfwatch import auth, db, store
from perfwatch.store import Actor, PermissionDenied, ValidationError

T0 = dt.datetime(2024, 7, 1, 9, 0, 0)
ADMIN = Actor("admin", "admin")
PASSWORD = "correct-horse-1"


@pytest.fixture
def users_db(mini_db: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The mini dataset with an admin, a finance user and an owner of project P001."""
    auth.create_first_admin(mini_db, "admin", PASSWORD)
    auth.create_user(mini_db, ADMIN, "li", "finance", PASSWORD, "李四")
    auth.create_user(mini_db, ADMIN, "zhang", "owner", PASSWORD, "张三", ["P001"])
    return mini_db


def _fail(conn: duckdb.DuckDBPyConnection, name: str, at: dt.datetime, password: str = "wrong-password") -> str:
    with pytest.raises(auth.AuthError) as info:
        auth.authenticate(conn, name, password, at)
    return str(info.value)


def test_password_hashes_are_salted_argon2() -> None:
    """Test that a hash is argon2id, differs per call (salt) and verifies only the right password."""
    h1, h2 = auth.hash_password(PASSWORD), auth.hash_password(PASSWORD)
    assert h1.startswith("$argon2id$") and h1 != h2 and PASSWORD not in h1
    assert auth.verify_password(h1, PASSWORD) and auth.verify_password(h2, PASSWORD)
    assert not auth.verify_password(h1, PASSWORD + "x")
    assert not auth.verify_password(None, PASSWORD) and not auth.verify_password("garbage", PASSWORD)


def test_fresh_database_has_no_account_and_no_default_password(empty_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a new database has no users at all (so nobody can sign in with a shipped password)."""
    assert not auth.has_users(empty_db)
    for mig in db.migrations():
        code = "\n".join(line.split("--", 1)[0] for line in mig.sql.splitlines()).upper()
        assert "INSERT INTO USERS" not in code


def test_first_admin_only_while_there_are_no_users(empty_db: duckdb.DuckDBPyConnection) -> None:
    """Test that the first admin can be created once, and never again once an account exists."""
    actor = auth.create_first_admin(empty_db, " boss ", PASSWORD, "局长")
    assert actor == Actor("boss", "admin")
    assert auth.authenticate(empty_db, "boss", PASSWORD, T0).role == "admin"
    with pytest.raises(PermissionDenied):
        auth.create_first_admin(empty_db, "intruder", PASSWORD)
    assert [u["username"] for u in auth.list_users(empty_db)] == ["boss"]


def test_weak_passwords_and_bad_names_are_refused(empty_db: duckdb.DuckDBPyConnection) -> None:
    """Test that short or blank passwords and names with spaces or control characters are refused."""
    for bad in ("short", " " * 12, "x" * 300):
        with pytest.raises(ValidationError):
            auth.create_first_admin(empty_db, "boss", bad)
    for bad in ("", "   ", "two words", "tab\tname", "x" * 65, "nul\x00"):
        with pytest.raises(ValidationError):
            auth.create_first_admin(empty_db, bad, PASSWORD)
    assert not auth.has_users(empty_db)


def test_sign_in_with_right_and_wrong_password(users_db: duckdb.DuckDBPyConnection) -> None:
    """Test that the right password gives the actor and a wrong one the same message as an unknown name."""
    actor = auth.authenticate(users_db, "li", PASSWORD, T0)
    assert actor == Actor("li", "finance", None)
    wrong = _fail(users_db, "li", T0)
    unknown = _fail(users_db, "nobody", T0)
    assert wrong == unknown == auth.WRONG_CREDENTIALS
    assert _fail(users_db, "li", T0, password="") == auth.WRONG_CREDENTIALS
    outcomes = users_db.sql("SELECT username, ok, outcome FROM login_attempts ORDER BY attempted_at, outcome").fetchall()
    assert ("li", True, "ok") in outcomes and ("nobody", False, "unknown_user") in outcomes


def test_owner_projects_come_from_the_database(users_db: duckdb.DuckDBPyConnection) -> None:
    """Test that an owner's Actor carries exactly the project ids assigned in user_projects."""
    p1, p2 = (users_db.execute("SELECT id FROM projects WHERE code = ?", [c]).fetchone()[0] for c in ("P001", "P002"))
    assert auth.authenticate(users_db, "zhang", PASSWORD, T0).project_ids == frozenset({p1})
    auth.assign_projects(users_db, ADMIN, "zhang", ["P002", "P001"])
    assert auth.actor_for(users_db, "zhang") == Actor("zhang", "owner", frozenset({p1, p2}))
    auth.assign_projects(users_db, ADMIN, "zhang", [])
    assert auth.actor_for(users_db, "zhang").project_ids == frozenset()  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="不存在"):
        auth.assign_projects(users_db, ADMIN, "zhang", ["NOPE"])
    with pytest.raises(ValidationError, match="不是项目负责人"):
        auth.assign_projects(users_db, ADMIN, "li", ["P001"])


def test_disabled_account_cannot_sign_in_and_loses_its_actor(users_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a disabled account is refused (and has no actor for open sessions) until re-enabled."""
    auth.disable_user(users_db, ADMIN, "li")
    assert auth.actor_for(users_db, "li") is None
    assert "停用" in _fail(users_db, "li", T0, password=PASSWORD)
    assert _fail(users_db, "li", T0) == auth.WRONG_CREDENTIALS  # wrong password: nothing revealed
    auth.disable_user(users_db, ADMIN, "li", disabled=False)
    assert auth.authenticate(users_db, "li", PASSWORD, T0).username == "li"


def test_rate_limit_backs_off_exponentially(users_db: duckdb.DuckDBPyConnection) -> None:
    """Test that 5 failures hold back even the right password for 1 minute, the next failure for 2, then 4."""
    for i in range(auth.MAX_FAILURES):  # 09:00 .. 09:04
        assert _fail(users_db, "li", T0 + dt.timedelta(minutes=i)) == auth.WRONG_CREDENTIALS
    # Held back 1 minute after the 5th failure (09:04 + 1 min = 09:05), computed by hand.
    locked = _fail(users_db, "li", T0 + dt.timedelta(minutes=4, seconds=30), password=PASSWORD)
    assert "次数过多" in locked and "09:05" in locked
    # A 6th failure at 09:05:01 doubles the wait: 09:07:01.
    _fail(users_db, "li", T0 + dt.timedelta(minutes=5, seconds=1))
    assert "09:07" in _fail(users_db, "li", T0 + dt.timedelta(minutes=6), password=PASSWORD)
    # Refusals while held back do not extend it.
    assert auth.authenticate(users_db, "li", PASSWORD, T0 + dt.timedelta(minutes=7, seconds=2)).role == "finance"


def test_rate_limit_is_per_account_and_counts_unknown_names(users_db: duckdb.DuckDBPyConnection) -> None:
    """Test that one account's lock-out leaves others alone, and unknown names lock out alike."""
    for i in range(auth.MAX_FAILURES):
        _fail(users_db, "li", T0 + dt.timedelta(seconds=i))
        _fail(users_db, "ghost", T0 + dt.timedelta(seconds=i))
    assert "次数过多" in _fail(users_db, "ghost", T0 + dt.timedelta(minutes=1))
    assert auth.authenticate(users_db, "zhang", PASSWORD, T0 + dt.timedelta(minutes=1)).role == "owner"


def test_success_resets_the_failure_count(users_db: duckdb.DuckDBPyConnection) -> None:
    """Test that failures before a successful sign-in no longer count towards the limit."""
    for i in range(auth.MAX_FAILURES - 1):
        _fail(users_db, "li", T0 + dt.timedelta(minutes=i))
    auth.authenticate(users_db, "li", PASSWORD, T0 + dt.timedelta(minutes=5))
    for i in range(auth.MAX_FAILURES - 1):
        _fail(users_db, "li", T0 + dt.timedelta(minutes=6 + i))
    assert auth.authenticate(users_db, "li", PASSWORD, T0 + dt.timedelta(minutes=11)).username == "li"


def test_rate_limit_holds_across_connections(tmp_path: Path, mini_data: dict) -> None:
    """Test that the failures are stored in the file: a new connection (a restart) is still locked out."""
    from perfwatch import dataset

    path = tmp_path / "limit.duckdb"
    conn = db.open_database(path)
    dataset.load_targets(conn, store.SYSTEM, mini_data)
    auth.create_first_admin(conn, "admin", PASSWORD)
    for i in range(auth.MAX_FAILURES):
        _fail(conn, "admin", T0 + dt.timedelta(minutes=i))
    conn.close()
    conn = db.open_database(path)
    try:
        assert "次数过多" in _fail(conn, "admin", T0 + dt.timedelta(minutes=4, seconds=30), password=PASSWORD)
    finally:
        conn.close()


def test_audit_never_holds_passwords_or_hashes(users_db: duckdb.DuckDBPyConnection) -> None:
    """Test that creating users and resetting passwords is audited without the secret."""
    auth.reset_password(users_db, ADMIN, "li", "brand-new-secret")
    rows = users_db.sql("SELECT actor, action, entity, coalesce(old_value::VARCHAR, ''), new_value::VARCHAR "
                        "FROM audit_log WHERE entity IN ('users', 'user_projects') ORDER BY id").fetchall()
    actions = [r[1] for r in rows]
    assert actions == ["user.create_first_admin", "user.create", "user.create", "user.reset_password"]
    text = repr(rows)
    assert PASSWORD not in text and "brand-new-secret" not in text and "$argon2" not in text
    assert auth.authenticate(users_db, "li", "brand-new-secret", T0).username == "li"


def test_last_admin_cannot_be_disabled_or_demoted(users_db: duckdb.DuckDBPyConnection) -> None:
    """Test that the system always keeps one enabled administrator."""
    with pytest.raises(ValidationError, match="唯一"):
        auth.disable_user(users_db, ADMIN, "admin")
    with pytest.raises(ValidationError, match="唯一"):
        auth.update_user(users_db, ADMIN, "admin", role="leader")
    auth.create_user(users_db, ADMIN, "admin2", "admin", PASSWORD)
    auth.disable_user(users_db, ADMIN, "admin")
    assert auth.actor_for(users_db, "admin") is None


def test_role_change_drops_assignments_and_duplicate_names_refused(users_db: duckdb.DuckDBPyConnection) -> None:
    """Test that an owner made leader loses the projects, and a username cannot be taken twice."""
    auth.update_user(users_db, ADMIN, "zhang", role="leader", display_name="张三丰")
    assert auth.actor_for(users_db, "zhang") == Actor("zhang", "leader", None)
    assert auth.project_codes_of(users_db, "zhang") == []
    with pytest.raises(ValidationError, match="已存在"):
        auth.create_user(users_db, ADMIN, "zhang", "finance", PASSWORD)
    with pytest.raises(ValidationError, match="只有项目负责人"):
        auth.create_user(users_db, ADMIN, "wang", "finance", PASSWORD, project_codes=["P001"])


def test_single_sign_on_maps_to_an_enabled_local_account(users_db: duckdb.DuckDBPyConnection) -> None:
    """Test that an OIDC e-mail signs in only as the mapped, enabled account."""
    auth.update_user(users_db, ADMIN, "li", oidc_email="Li.Si@county.gov.cn")
    assert auth.authenticate_oidc(users_db, "li.si@county.gov.cn", T0) == Actor("li", "finance", None)
    with pytest.raises(auth.AuthError):
        auth.authenticate_oidc(users_db, "stranger@county.gov.cn", T0)
    with pytest.raises(ValidationError, match="已被用户"):
        auth.update_user(users_db, ADMIN, "zhang", oidc_email="li.si@county.gov.cn")
    auth.disable_user(users_db, ADMIN, "li")
    with pytest.raises(auth.AuthError):
        auth.authenticate_oidc(users_db, "li.si@county.gov.cn", T0)
    sso_only = auth.create_user(users_db, ADMIN, "sso", "leader", None, oidc_email="sso@county.gov.cn")
    assert sso_only and auth.authenticate_oidc(users_db, "sso@county.gov.cn", T0).role == "leader"
    assert _fail(users_db, "sso", T0, password="") == auth.WRONG_CREDENTIALS


def test_idle_timeout_setting(users_db: duckdb.DuckDBPyConnection) -> None:
    """Test that sessions expire after the idle timeout (30 minutes unless set) and not before."""
    assert auth.idle_timeout(users_db) == dt.timedelta(minutes=30)
    assert not auth.session_expired(T0, T0 + dt.timedelta(minutes=30), auth.idle_timeout(users_db))
    assert auth.session_expired(T0, T0 + dt.timedelta(minutes=30, seconds=1), auth.idle_timeout(users_db))
    store.set_setting(users_db, ADMIN, auth.SETTING_IDLE_TIMEOUT, 10)
    assert auth.idle_timeout(users_db) == dt.timedelta(minutes=10)
    store.set_setting(users_db, ADMIN, auth.SETTING_IDLE_TIMEOUT, "garbage")
    assert auth.idle_timeout(users_db) == dt.timedelta(minutes=30)


def test_public_meeting_screen_is_off_by_default(users_db: duckdb.DuckDBPyConnection) -> None:
    """Test that anonymous read-only access needs the setting to be switched on explicitly."""
    assert not auth.public_screen_enabled(users_db)
    store.set_setting(users_db, ADMIN, auth.SETTING_PUBLIC_SCREEN, "yes")  # not the JSON true
    assert not auth.public_screen_enabled(users_db)
    store.set_setting(users_db, ADMIN, auth.SETTING_PUBLIC_SCREEN, True)
    assert auth.public_screen_enabled(users_db)

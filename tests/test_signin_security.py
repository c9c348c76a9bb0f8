"""Sign-in hardening (issue 16 item 6): password policy, look-alike user names, rate limits per user
and per address with back-off and pruning, exactly one first admin under a race, and a Chinese
message when two admins create the same account at once. Races run on a real DuckDB file."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import duckdb
import pytest

from perfwatch import auth, db, store
from perfwatch.store import Actor, PermissionDenied, ValidationError

T0 = dt.datetime(2024, 7, 1, 9, 0, 0)
ADMIN = Actor("admin1", "admin")
PASSWORD = "correct-horse-1"


@pytest.fixture
def users_db(empty_db: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """An admin ``admin1`` and a finance user ``li``."""
    auth.create_first_admin(empty_db, "admin1", PASSWORD)
    auth.create_user(empty_db, ADMIN, "li", "finance", PASSWORD)
    return empty_db


def _fail(conn: duckdb.DuckDBPyConnection, name: str, at: dt.datetime, client: str | None,
          password: str = "wrong-password") -> str:
    with pytest.raises(auth.AuthError) as info:
        auth.authenticate(conn, name, password, at, client=client)
    return str(info.value)


@pytest.mark.parametrize("password", ["12345678", "password", "admin1admin1", "password2024!", "1234567890",
                                      "Qwertyuiop", "aaaaaaaaaaaa", "abcdefghijk", "xx-admin1-xx", "woaini1314"])
def test_weak_passwords_are_refused(empty_db: duckdb.DuckDBPyConnection, password: str) -> None:
    """Test that the probe's passwords (short, common, the user name doubled) and their kin are refused."""
    with pytest.raises(ValidationError) as info:
        auth.create_first_admin(empty_db, "admin1", password)
    assert any(w in str(info.value) for w in ("至少", "常见", "用户名", "重复"))
    assert not auth.has_users(empty_db)


def test_a_good_password_is_accepted(empty_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a long uncommon password passes (the policy is not a wall)."""
    auth.create_first_admin(empty_db, "admin1", "晨跑-绿茶-2024")
    assert auth.has_users(empty_db)


@pytest.mark.parametrize("lookalike", ["Admin1", "ADMIN1", "ａｄｍｉｎ1", "ａｄｍｉｎ１", " admin1 "])
def test_lookalike_names_are_the_same_account(users_db: duckdb.DuckDBPyConnection, lookalike: str) -> None:
    """Test that a case or width variant of admin1 cannot be created and signs in as admin1."""
    with pytest.raises(ValidationError, match="已存在|相同"):
        auth.create_user(users_db, ADMIN, lookalike, "leader", "another-long-pw-9")
    assert [u["username"] for u in auth.list_users(users_db)].count("admin1") == 1
    assert len(auth.list_users(users_db)) == 2
    assert auth.authenticate(users_db, lookalike, PASSWORD, T0).username == "admin1"


def test_existing_lookalikes_get_keys_after_the_migration(tmp_path: Path) -> None:
    """Test that accounts made before 0007 get their key, and an old look-alike keeps its exact-name sign-in."""
    path = tmp_path / "old.duckdb"
    conn = db.connect(path)
    db.migrate(conn, path, up_to=4)
    h = auth.hash_password(PASSWORD)
    for name in ("admin1", "Admin1"):
        conn.execute("INSERT INTO users (username, role, password_hash) VALUES (?, 'admin', ?)", [name, h])
    applied = db.migrate(conn, path)
    assert any(m.version == 7 for m in applied)
    keys = dict(conn.execute("SELECT username, username_key FROM users").fetchall())
    assert keys["admin1"] == "admin1" and keys["Admin1"].startswith("admin1#")
    assert auth.authenticate(conn, "Admin1", PASSWORD, T0).username == "Admin1"
    assert auth.authenticate(conn, "ADMIN1", PASSWORD, T0).username == "admin1"
    conn.close()


def test_limit_is_per_user_and_address(users_db: duckdb.DuckDBPyConnection) -> None:
    """Test that 5 failures from one address hold back that address for that user only."""
    for i in range(auth.MAX_FAILURES):
        _fail(users_db, "li", T0 + dt.timedelta(seconds=i), "10.0.0.66")
    assert "次数过多" in _fail(users_db, "li", T0 + dt.timedelta(seconds=10), "10.0.0.66", PASSWORD)
    # The real user at another address is not locked out by the stranger.
    assert auth.authenticate(users_db, "li", PASSWORD, T0 + dt.timedelta(seconds=11), client="10.0.0.5").username == "li"


def test_one_address_cannot_spray_many_names(users_db: duckdb.DuckDBPyConnection) -> None:
    """Test that 20 different names from one address hold that address back for every name."""
    for i in range(auth.MAX_FAILURES_PER_CLIENT):
        _fail(users_db, f"guess{i}", T0 + dt.timedelta(seconds=i), "10.0.0.66")
    assert "次数过多" in _fail(users_db, "li", T0 + dt.timedelta(seconds=30), "10.0.0.66", PASSWORD)
    assert auth.authenticate(users_db, "li", PASSWORD, T0 + dt.timedelta(seconds=31), client="10.0.0.7").username == "li"


def test_many_addresses_against_one_name_are_held_back(users_db: duckdb.DuckDBPyConnection) -> None:
    """Test that 20 failures on one name from 20 addresses hold that name back (for a while) everywhere."""
    for i in range(auth.MAX_FAILURES_PER_USER):
        _fail(users_db, "li", T0 + dt.timedelta(seconds=i), f"10.1.0.{i}")
    assert "次数过多" in _fail(users_db, "li", T0 + dt.timedelta(seconds=30), "10.2.0.1", PASSWORD)
    # Back-off of 1 minute after the last failure (09:00:19), then allowed again.
    assert auth.authenticate(users_db, "li", PASSWORD, T0 + dt.timedelta(seconds=80), client="10.2.0.1").username == "li"


def test_old_attempts_are_pruned(users_db: duckdb.DuckDBPyConnection) -> None:
    """Test that attempts older than the window are deleted when a new attempt is recorded."""
    for i in range(30):
        _fail(users_db, f"x{i}", T0, "10.0.0.1")
    later = T0 + auth.LOCKOUT_WINDOW + dt.timedelta(minutes=1)
    auth.authenticate(users_db, "li", PASSWORD, later, client="10.0.0.2")
    assert users_db.execute("SELECT count(*) FROM login_attempts").fetchone()[0] == 1


def _race(n: int, work: Any) -> list[Any]:
    """Run ``work(i)`` in ``n`` threads released together; return each result or exception."""
    barrier = threading.Barrier(n)
    out: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            out[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertions
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def test_eight_simultaneous_first_starts_make_exactly_one_admin(tmp_path: Path) -> None:
    """Test that 8 threads creating the first admin on one database file yield one admin; the rest a message."""
    conn = db.open_database(tmp_path / "race.duckdb")
    try:
        results = _race(8, lambda i: auth.create_first_admin(conn, f"boss{i}", f"first-start-pw-{i}"))
        admins = conn.execute("SELECT count(*) FROM users WHERE role = 'admin'").fetchone()[0]
    finally:
        conn.close()
    assert admins == 1
    assert sum(isinstance(r, store.Actor) for r in results) == 1
    refused = [r for r in results if not isinstance(r, store.Actor)]
    assert all(isinstance(r, PermissionDenied) and "已有账号" in str(r) for r in refused), refused


def test_two_admins_creating_the_same_user_get_a_message(users_db: duckdb.DuckDBPyConnection) -> None:
    """Test that a simultaneous double create of one name makes one account and a Chinese message, no raw error."""
    for attempt in range(3):
        name = f"wang{attempt}"
        results = _race(2, lambda i, name=name: auth.create_user(users_db, ADMIN, name if i else name.upper(), "leader",
                                                      "another-long-pw-9"))
        made = users_db.execute("SELECT count(*) FROM users WHERE username_key = ?", [name]).fetchone()[0]
        assert made == 1
        errors = [r for r in results if isinstance(r, BaseException)]
        assert len(errors) == 1 and isinstance(errors[0], ValidationError), errors
        assert "已存在" in str(errors[0]) or "相同" in str(errors[0])

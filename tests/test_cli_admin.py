"""`python -m perfwatch user|backup|restore`: accounts and backups from the command line."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from perfwatch import auth, backup, dataset, db, store
from perfwatch.cli import main

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def cli_db(tmp_path: Path) -> Path:
    """A closed database file with the mini dataset and no accounts."""
    path = tmp_path / "cli.duckdb"
    conn = db.open_database(path)
    dataset.load_targets(conn, store.SYSTEM, json.loads((FIXTURES / "mini.targets.json").read_text(encoding="utf-8")))
    conn.close()
    return path


def _cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str,
         stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


def _open(path: Path):  # type: ignore[no-untyped-def]
    return db.open_database(path)


def test_user_add_list_reset_disable(cli_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Test the account commands end to end, with passwords from standard input."""
    db_arg = ("--db", str(cli_db))
    rc, out, err = _cli(monkeypatch, capsys, "user", "add", "admin", "--role", "admin", *db_arg, "--password-stdin",
                        stdin="sturdy-lantern-7\n")
    assert rc == 0 and "已添加用户 admin（管理员）" in out, err
    rc, out, err = _cli(monkeypatch, capsys, "user", "add", "zhang", "--role", "owner", "--projects", "P001，P002",
                        "--display-name", "张三", *db_arg, "--password-stdin", stdin="owner-password\n")
    assert rc == 0 and "P001、P002" in out, err
    rc, out, _ = _cli(monkeypatch, capsys, "user", "list", *db_arg)
    assert rc == 0 and "zhang  张三  项目负责人  启用  项目 P001、P002" in out

    rc, out, err = _cli(monkeypatch, capsys, "user", "reset", "zhang", *db_arg, "--password-stdin", stdin="new-owner-pw\r\n")
    assert rc == 0 and "已重置" in out, err
    rc, out, err = _cli(monkeypatch, capsys, "user", "assign", "zhang", "--projects", "P002", *db_arg)
    assert rc == 0 and "P002" in out and "P001" not in out, err
    rc, out, err = _cli(monkeypatch, capsys, "user", "disable", "zhang", *db_arg)
    assert rc == 0 and "已停用" in out, err
    conn = _open(cli_db)
    try:
        assert auth.actor_for(conn, "zhang") is None
        user = auth.get_user(conn, "zhang")
        assert user is not None and auth.verify_password(user.password_hash, "new-owner-pw")
        actors = {r[0] for r in conn.execute("SELECT actor FROM audit_log WHERE entity LIKE 'user%'").fetchall()}
        assert all(a.startswith("cli:") for a in actors)
    finally:
        conn.close()
    rc, out, _ = _cli(monkeypatch, capsys, "user", "disable", "zhang", "--enable", *db_arg)
    assert rc == 0 and "已启用" in out


def test_password_prompt_twice_and_mismatch(cli_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Test that without --password-stdin the password is asked twice and a mismatch writes nothing."""
    answers = iter(["first-password", "other-password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    rc, _, err = _cli(monkeypatch, capsys, "user", "add", "li", "--role", "finance", "--db", str(cli_db))
    assert rc == 2 and "不一致" in err and "Traceback" not in err
    answers = iter(["same-password", "same-password"])
    rc, out, err = _cli(monkeypatch, capsys, "user", "add", "li", "--role", "finance", "--db", str(cli_db))
    assert rc == 0 and "财务" in out, err


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["user", "add", "x", "--role", "leader"], "short\n", "至少"),
        (["user", "add", "x", "--role", "finance", "--projects", "P001"], "long-enough-pw\n", "只有项目负责人"),
        (["user", "add", "x", "--role", "owner", "--projects", "NOPE"], "long-enough-pw\n", "不存在"),
        (["user", "reset", "ghost"], "long-enough-pw\n", "不存在"),
        (["user", "disable", "ghost"], "", "不存在"),
    ],
)
def test_refusals_are_one_line_and_exit_2(cli_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                          args: list[str], stdin: str, message: str) -> None:
    """Test that bad input is refused with a Chinese line on stderr, exit code 2 and no account written."""
    extra = ["--password-stdin"] if stdin else []
    rc, _, err = _cli(monkeypatch, capsys, *args, "--db", str(cli_db), *extra, stdin=stdin)
    assert rc == 2 and message in err and err.startswith("错误：")
    conn = _open(cli_db)
    try:
        assert not auth.has_users(conn)
    finally:
        conn.close()


def test_user_commands_never_create_a_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Test that `user list` on a missing file says to run init, and creates nothing."""
    rc, _, err = _cli(monkeypatch, capsys, "user", "list", "--db", str(tmp_path / "none.duckdb"))
    assert rc == 2 and "init" in err and not (tmp_path / "none.duckdb").exists()


def test_backup_and_restore_commands(cli_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Test `backup --out DIR` then `restore DIR --db NEW` (and the refusal to overwrite)."""
    rc, out, err = _cli(monkeypatch, capsys, "backup", "--db", str(cli_db), "--out", str(tmp_path / "bk"))
    assert rc == 0, err
    made = sorted((tmp_path / "bk").glob("perfwatch-*"))
    assert len(made) == 1 and str(made[0]) in out and (made[0] / "manifest.json").exists()
    rc, out, err = _cli(monkeypatch, capsys, "restore", str(made[0]), "--db", str(tmp_path / "new.duckdb"))
    assert rc == 0 and "new.duckdb" in out, err
    rc, _, err = _cli(monkeypatch, capsys, "restore", str(made[0]), "--db", str(cli_db))
    assert rc == 2 and "已存在" in err
    original, restored = _open(cli_db), _open(tmp_path / "new.duckdb")
    try:
        before = backup.snapshot(original)
        # The original records the backup (a row and its audit row) after exporting.
        before.pop("backups")
        before["audit_log"] = [r for r in before["audit_log"] if r[3] != "backup.create"]
        after = backup.snapshot(restored)
        after.pop("backups")
        # ... and chains that audit row, which moves the audit chain's head (setting audit_chain_head).
        for snap in (before, after):
            snap["settings"] = [r for r in snap["settings"] if r[0] != "audit_chain_head"]
        assert after == before
    finally:
        original.close()
        restored.close()


def test_backup_default_directory_from_environment(cli_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Test that without --out the backup goes to $PERFWATCH_BACKUP_DIR."""
    monkeypatch.setenv(backup.ENV_BACKUP_DIR, str(tmp_path / "envdir"))
    rc, _, err = _cli(monkeypatch, capsys, "backup", "--db", str(cli_db))
    assert rc == 0, err
    assert len(list((tmp_path / "envdir").glob("perfwatch-*"))) == 1


def test_python_dash_m_help_lists_the_commands() -> None:
    """Test that `python -m perfwatch --help` and `user --help` show the new commands in a subprocess."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    top = subprocess.run([sys.executable, "-m", "perfwatch", "--help"], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=60)
    assert top.returncode == 0 and all(c in top.stdout for c in ("user", "backup", "restore"))
    user = subprocess.run([sys.executable, "-m", "perfwatch", "user", "--help"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    assert user.returncode == 0 and all(c in user.stdout for c in ("add", "reset", "disable", "assign", "list"))

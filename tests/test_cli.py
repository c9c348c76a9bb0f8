"""`python -m perfwatch init/show`: the commands a newcomer runs first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from perfwatch import db
from perfwatch.cli import main

REPO = Path(__file__).resolve().parents[1]


def _run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "perfwatch", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_init_then_show_lists_eight_projects_totalling_122_90(tmp_path: Path) -> None:
    """Test the issue's acceptance command: init --db X && show --db X lists 8 projects, 122.90 万元."""
    path = tmp_path / "x.duckdb"
    init = _run("init", "--db", str(path))
    assert init.returncode == 0, init.stderr
    assert "已载入默认数据" in init.stdout
    show = _run("show", "--db", str(path))
    assert show.returncode == 0, show.stderr
    assert "8 个项目，预算合计 122.90 万元" in show.stdout
    assert "13052924P00584012128B" in show.stdout and "计划 3月25% 6月50% 10月75% 12月100%" in show.stdout
    assert show.stdout.count("预算 ") == 8
    again = _run("init", "--db", str(path))
    assert again.returncode == 0 and "未载入默认数据" in again.stdout and "已是最新" in again.stdout


def test_show_on_missing_file_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    """Test that `show` on a file that does not exist says so in one line and exits 2."""
    res = _run("show", "--db", str(tmp_path / "nope.duckdb"))
    assert res.returncode == 2
    assert "不存在" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "nope.duckdb").exists()


def test_corrupt_file_via_cli(tmp_path: Path) -> None:
    """Test that init on a corrupt file reports it and leaves it untouched."""
    path = tmp_path / "bad.duckdb"
    path.write_bytes(b"garbage" * 100)
    res = _run("init", "--db", str(path))
    assert res.returncode == 2 and "Traceback" not in res.stderr and "无法识别" in res.stderr
    assert path.read_bytes() == b"garbage" * 100


@pytest.mark.parametrize("command", ["init", "show"])
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Test that --help works on each command and describes it in Chinese."""
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert "--db" in capsys.readouterr().out


def test_env_var_selects_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Test that PERFWATCH_DB is used when --db is absent."""
    path = tmp_path / "env.duckdb"
    monkeypatch.setenv(db.ENV_DB, str(path))
    assert main(["init"]) == 0
    assert path.exists() and str(path) in capsys.readouterr().out

"""Faults: an import that dies half-way leaves the database as it was; a locked file gives a
clear message (占用) in the app and on the command line, never a traceback."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from perfwatch import backup, dataset, db, store

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


def _mini() -> dict[str, Any]:
    return json.loads((FIXTURES / "mini.targets.json").read_text(encoding="utf-8"))


@pytest.fixture
def mini_path(tmp_path: Path) -> Path:
    """A closed database file holding the mini dataset (for subprocesses and reopening)."""
    path = tmp_path / "faults.duckdb"
    conn = dataset.open_seeded(path)
    dataset.load_targets(conn, store.SYSTEM, _mini())
    conn.close()
    return path


def _snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = db.open_database(path)
    try:
        return backup.snapshot(conn)
    finally:
        conn.close()


def test_exception_half_way_through_a_transaction_leaves_nothing(mini_db: duckdb.DuckDBPyConnection) -> None:
    """Test that rows written before an exception inside store.transaction are all rolled back."""
    before = backup.snapshot(mini_db)
    p1 = mini_db.execute("SELECT id FROM projects WHERE code = 'P001'").fetchone()[0]
    with pytest.raises(RuntimeError, match="half-way"):
        with store.transaction(mini_db, store.SYSTEM, "spend.record") as tx:
            for month in (1, 2, 3):
                tx.run("store/insert_spend", {"project_id": p1, "period": dt.date(2024, month, 1), "amount": 1,
                                              "source": "test", "note": None, "entered_by": "system"})
                tx.audit("spend_entries", month, None, {"amount": 1})
            raise RuntimeError("half-way")
    assert backup.snapshot(mini_db) == before


def test_targets_import_failing_half_way_changes_nothing(
    mini_db: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Test that a re-import that breaks after some updates (a crash inside load_targets) leaves the old targets."""
    before = backup.snapshot(mini_db)
    data = _mini()
    for proj in data["projects"]:
        proj["name"] += "（新）"
        proj["budget"] += 1
    data["projects"].append({**data["projects"][0], "code": "P003", "seq": 3})
    calls = {"n": 0}
    real_run = store.WriteTx.run

    def failing_run(self: store.WriteTx, name: str, params: Any = None) -> list[tuple[Any, ...]]:
        calls["n"] += 1
        if calls["n"] == 12:
            raise OSError("disk full (simulated)")
        return real_run(self, name, params)

    monkeypatch.setattr(store.WriteTx, "run", failing_run)
    with pytest.raises(OSError):
        dataset.load_targets(mini_db, store.SYSTEM, data)
    assert calls["n"] == 12
    monkeypatch.undo()
    assert backup.snapshot(mini_db) == before


KILLED_LOADER = textwrap.dedent(
    """
    import copy, json, sys
    from perfwatch import dataset, db, store

    conn = db.open_database(sys.argv[1])
    data = json.loads(open(sys.argv[2], encoding="utf-8").read())
    template = data["projects"][0]
    data["projects"] = []
    for n in range(600):  # a large import: thousands of rows in one transaction
        proj = copy.deepcopy(template)
        proj.update(code=f"BIG{n:05d}", seq=n + 1, name=f"大项目{n}")
        data["projects"].append(proj)
    calls = 0
    real_run = store.WriteTx.run

    def run(self, name, params=None):
        global calls
        calls += 1
        if calls == 6000:
            print("MIDWAY", flush=True)
            sys.stdin.readline()  # wait here, mid-transaction, until killed
        return real_run(self, name, params)

    store.WriteTx.run = run
    dataset.load_targets(conn, store.SYSTEM, data)
    print("DONE", flush=True)
    """
)


def test_killed_process_in_the_middle_of_an_import_leaves_the_database_as_before(mini_path: Path) -> None:
    """Test that SIGKILL during a big targets import (6,000 writes in) loses the whole import and nothing else."""
    before = _snapshot(mini_path)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_LOADER, str(mini_path), str(FIXTURES / "mini.targets.json")],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "MIDWAY", proc.stderr.read() if proc.stderr else ""
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert _snapshot(mini_path) == before


HOLDER = "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); sys.stdin.readline()"


@pytest.fixture
def held_open(mini_path: Path) -> Iterator[Path]:
    """The database file held open read-write by another process (like a second app or a CLI run)."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(mini_path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield mini_path
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


@pytest.fixture
def clean_caches() -> Iterator[None]:
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def test_locked_database_in_the_app_says_occupied_without_traceback(
    held_open: Path, monkeypatch: pytest.MonkeyPatch, clean_caches: None
) -> None:
    """Test that the app on a file held by another process says 占用 and why read-only is impossible."""
    monkeypatch.setenv(db.ENV_DB, str(held_open))
    monkeypatch.delenv("PERFWATCH_AUTH", raising=False)
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    text = " ".join(e.value for e in at.error)
    assert "占用" in text and "只读" in text and "Traceback" not in text


@pytest.mark.parametrize("command", [["user", "list"], ["backup"], ["show"], ["user", "disable", "x"]])
def test_locked_database_on_the_command_line_says_occupied(held_open: Path, command: list[str]) -> None:
    """Test that CLI commands on a held file print one 占用 line and exit 2, without a traceback."""
    proc = subprocess.run([sys.executable, "-m", "perfwatch", *command, "--db", str(held_open)], cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "占用" in proc.stderr and "Traceback" not in proc.stderr + proc.stdout

"""Files that are not (whole) perfwatch databases get a Chinese message from `status` and `init`, are
judged by their first bytes before DuckDB touches them where possible, are never changed, and
opening one never makes DuckDB load or download an extension."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from perfwatch import db
from perfwatch.cli import main


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()


def _half(seed: Path, path: Path) -> None:
    data = seed.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _flipped_header(seed: Path, path: Path) -> None:
    data = bytearray(seed.read_bytes())
    for k in range(4096 + 20, 4096 + 84):  # inside the first database header (its checksum no longer matches)
        data[k] ^= 0xFF
    path.write_bytes(bytes(data))


def _garbage(seed: Path, path: Path) -> None:
    path.write_bytes(os.urandom(50_000))


def _xlsx(seed: Path, path: Path) -> None:
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 5000)


MAKERS = {
    "sqlite": (lambda seed, p: _sqlite(p), "SQLite"),
    "half": (_half, "不完整"),
    "bitflip": (_flipped_header, "无法识别"),
    "garbage": (_garbage, "无法识别"),
    "xlsx": (_xlsx, "Excel"),
}


@pytest.mark.parametrize("kind", sorted(MAKERS))
@pytest.mark.parametrize("command", ["status", "init"])
def test_bad_database_file_gets_a_chinese_message(
    kind: str, command: str, seed_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Test that status/init on a SQLite, truncated, bit-flipped or random file say what is wrong and change nothing."""
    make, words = MAKERS[kind]
    path = tmp_path / f"{kind}.duckdb"
    make(seed_db_path, path)
    before = _digest(path)
    argv = [command, "--db", str(path)] + (["--as-of", "2024-07-31"] if command == "status" else [])
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2
    assert words in err and "文件未做任何改动" in err
    assert "Traceback" not in err and "Error:" not in err.split("技术信息")[0]
    assert _digest(path) == before
    assert not Path(str(path) + ".wal").exists()


def test_header_check_names_the_kind_of_file(tmp_path: Path) -> None:
    """Test that the header check alone recognises SQLite and passes a real DuckDB file."""
    sq = tmp_path / "a.sqlite"
    _sqlite(sq)
    assert "SQLite" in (db.file_problem(sq) or "")
    good = tmp_path / "good.duckdb"
    db.open_database(good).close()
    assert db.file_problem(good) is None


def test_connections_never_autoload_extensions(tmp_path: Path) -> None:
    """Test that every connection has extension autoload and autoinstall switched off."""
    conn = db.connect(tmp_path / "x.duckdb")
    try:
        settings = dict(conn.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN "
            "('autoload_known_extensions', 'autoinstall_known_extensions')").fetchall())
        # Reading a SQLite file would need the sqlite extension: refused, nothing fetched.
        sq = tmp_path / "a.sqlite"
        _sqlite(sq)
        with pytest.raises(Exception) as info:
            conn.execute(f"SELECT * FROM sqlite_scan('{sq}', 't')")
        # DuckDB says the function lives in an extension it did not load (nor try to install).
        assert "not in the catalog" in str(info.value)
    finally:
        conn.close()
    assert settings == {"autoload_known_extensions": "false", "autoinstall_known_extensions": "false"}

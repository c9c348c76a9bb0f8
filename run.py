"""One entry point for newcomers, on Linux and Windows alike (no make needed).

    python run.py app     # create .venv, install requirements, start the app (http://localhost:8501)
    python run.py test    # create .venv, install test requirements, run the whole test suite
    python run.py bench   # run the benchmarks and print their tables

Extra arguments after ``app`` go to ``streamlit run``; after ``test`` to pytest.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent
VENV = REPO / ".venv"


def _venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if platform.system() == "Windows" else "bin/python")


def _ensure_venv(requirements: str) -> Path:
    """Create .venv if missing and install ``requirements`` when they changed since last time."""
    py = _venv_python()
    if not py.exists():
        print(f"创建虚拟环境 {VENV} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    req = REPO / requirements
    stamp = VENV / f".installed-{req.stem}"
    digest = hashlib.sha256(
        b"".join((REPO / f).read_bytes() for f in ("requirements.txt", requirements))
    ).hexdigest()
    if not stamp.exists() or stamp.read_text() != digest:
        print(f"安装依赖 {requirements} …", flush=True)
        subprocess.check_call([str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", str(req)])
        stamp.write_text(digest)
    return py


def _ensure_browser() -> None:
    """On Debian as root, install Chromium and CJK fonts for the browser tests when missing."""
    if platform.system() != "Linux" or (shutil.which("chromium") and Path("/usr/share/fonts/opentype/noto").exists()):
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("安装浏览器测试所需的 chromium 和 fonts-noto-cjk …", flush=True)
        subprocess.check_call(["apt-get", "update", "-qq"])
        subprocess.check_call(["apt-get", "install", "-y", "-qq", "chromium", "fonts-noto-cjk"],
                              env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    else:
        print("提示：未找到 chromium，浏览器测试将跳过（sudo apt-get install chromium fonts-noto-cjk）。", flush=True)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"app", "test", "bench"}:
        print(__doc__)
        return 2
    cmd, rest = argv[0], argv[1:]
    os.chdir(REPO)
    if cmd == "app":
        py = _ensure_venv("requirements.txt")
        subprocess.check_call([str(py), "-m", "perfwatch", "init"])
        return subprocess.call([str(py), "scripts/serve.py",  # = streamlit run dashboard.py (see the script)
                                "--browser.gatherUsageStats", "false", *rest])
    py = _ensure_venv("requirements-dev.txt")
    if cmd == "test":
        _ensure_browser()
        return subprocess.call([str(py), "-m", "pytest", *rest])
    for script in sorted((REPO / "benchmarks").glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        rc = subprocess.call([str(py), str(script)])
        if rc:
            return rc
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Benchmark: parse the seed 绩效目标 text N times and print the median wall time.

Usage: python benchmarks/bench_import_targets.py [N]   (default N=50)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from perfwatch.importers.targets_text import parse_targets_text  # noqa: E402

SEED = REPO / "data" / "seed" / "julu-justice-bureau-2024-targets.txt"


def main(argv: list[str]) -> int:
    n = int(argv[1]) if len(argv) > 1 else 50
    text = SEED.read_text(encoding="utf-8")
    parse_targets_text(text, source=SEED.name)  # warm-up (regex compilation, imports)
    times: list[float] = []
    for _ in range(n):
        t0 = time.perf_counter()
        result = parse_targets_text(text, source=SEED.name)
        times.append(time.perf_counter() - t0)
    n_ind = sum(len(p["indicators"]) for p in result.data["projects"])
    print(
        f"parse_targets_text({SEED.name}: {len(text.splitlines())} lines, {n_ind} indicators) "
        f"median {statistics.median(times) * 1000:.2f} ms over {n} runs "
        f"(min {min(times) * 1000:.2f} ms, max {max(times) * 1000:.2f} ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

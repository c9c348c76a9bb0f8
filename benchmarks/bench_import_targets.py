"""Benchmark: importing the seed 绩效目标 document.

Times, in the same run (median of --runs):
- baseline: creating and migrating an empty DuckDB file (the fixed cost of any import);
- parse: ``parse_targets_text`` on the seed text;
- import: parse + ``load_targets`` into a fresh database file (what ``import-targets`` does);
- re-import: the same document again into that database (nothing changes, everything is compared).

and, for a generated ruled PDF of about --pages pages (tests/targets_pdfgen.py, same run):
- pdfplumber alone: open the file and extract the text of every page (the floor for any PDF import);
- pdfplumber tables: open the file and find + extract the tables of every page;
- read_targets: the whole import path (tables, text fallback and cross-check, invariants, review).

Usage: python benchmarks/bench_import_targets.py [--runs N] [--pages 200] [--pdf-runs 1]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from perfwatch import dataset, db, store  # noqa: E402
from perfwatch.importers.targets_text import parse_targets_text  # noqa: E402

SEED = REPO / "data" / "seed" / "julu-justice-bureau-2024-targets.txt"


def _median(fn: Callable[[int], None], runs: int) -> float:
    times = []
    for i in range(runs):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20, help="timed runs per measurement (median reported)")
    ap.add_argument("--pages", type=int, default=200, help="pages of the generated PDF (0: skip the PDF part)")
    ap.add_argument("--pdf-runs", type=int, default=1, help="timed runs for the generated PDF")
    args = ap.parse_args(argv)
    text = SEED.read_text(encoding="utf-8")
    parse_targets_text(text, source=SEED.name)  # warm-up (regex compilation, imports)
    with tempfile.TemporaryDirectory() as tmp:
        def baseline(i: int) -> None:
            db.open_database(Path(tmp) / f"b{i}.duckdb").close()

        def parse(i: int) -> None:
            parse_targets_text(text, source=SEED.name)

        def full(i: int) -> None:
            conn = db.open_database(Path(tmp) / f"i{i}.duckdb")
            dataset.load_targets(conn, store.SYSTEM, parse_targets_text(text, source=SEED.name).data)
            conn.close()

        conn = db.open_database(Path(tmp) / "again.duckdb")
        dataset.load_targets(conn, store.SYSTEM, parse_targets_text(text).data)

        def again(i: int) -> None:
            dataset.load_targets(conn, store.SYSTEM, parse_targets_text(text, source=SEED.name).data)

        rows = [
            ("baseline: create + migrate an empty file", _median(baseline, args.runs)),
            ("parse the seed text (1154 lines, 79 indicators)", _median(parse, args.runs)),
            ("import: parse + write into a new file", _median(full, args.runs)),
            ("re-import into a database that has it", _median(again, args.runs)),
        ]
        conn.close()
    base = rows[0][1]
    print(f"{'measurement':52s} {'median':>10s} {'× baseline':>11s}")
    for label, sec in rows:
        print(f"{label:52s} {sec * 1000:8.1f} ms {sec / base:10.2f}×")
    if args.pages:
        _bench_pdf(args.pages, args.pdf_runs)
    return 0


def _bench_pdf(pages: int, runs: int) -> None:
    import io
    import random

    import pdfplumber

    from perfwatch.importers.targets import read_targets
    from tests.targets_pdfgen import random_document, render_pdf

    rng = random.Random(2026)
    # about 0.68 pages per project of up to 24 rows (measured)
    n = max(1, int(pages / 0.68))
    content = render_pdf(random_document(rng, n_projects=n, max_rows=24), rng)
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        n_pages = len(pdf.pages)

    def plumber_text(i: int) -> None:
        with pdfplumber.open(io.BytesIO(content)) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.flush_cache()

    def plumber_tables(i: int) -> None:
        with pdfplumber.open(io.BytesIO(content)) as pdf:
            for page in pdf.pages:
                for t in page.find_tables():
                    t.extract()
                page.flush_cache()

    found: list[int] = []

    def ours(i: int) -> None:
        res = read_targets("generated.pdf", content)
        found.append(sum(len(p["indicators"]) for p in res.data["projects"]))

    rows = [
        ("pdfplumber alone: extract_text of every page", _median(plumber_text, runs)),
        ("pdfplumber: find + extract tables of every page", _median(plumber_tables, runs)),
        ("read_targets (tables + text cross-check + checks)", _median(ours, runs)),
    ]
    base = rows[0][1]
    print(f"\ngenerated ruled PDF: {n_pages} pages, {len(content) // 1024} KiB, {n} projects, {found[-1]} indicators")
    print(f"{'measurement':52s} {'median':>10s} {'× pdfplumber':>13s}")
    for label, sec in rows:
        print(f"{label:52s} {sec:8.2f} s  {sec / base:10.2f}×")


if __name__ == "__main__":
    raise SystemExit(main())

"""Regenerate data/julu-justice-bureau-2024.targets.json from the published seed text.

Usage: python scripts/build_default_dataset.py [SEED_TXT] [--out OUT_JSON]
SEED_TXT defaults to <repo>/../shared/seed/julu-justice-bureau-2024-targets.txt, falling back to
the copy in <repo>/data/seed/. The JSON holds the dataset only (no review findings).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from perfwatch.importers.targets_text import TargetsParseError, parse_targets_text  # noqa: E402

SEED_NAME = "julu-justice-bureau-2024-targets.txt"
DEFAULT_SEED = REPO.parent / "shared" / "seed" / SEED_NAME
BUNDLED_SEED = REPO / "data" / "seed" / SEED_NAME
DEFAULT_OUT = REPO / "data" / "julu-justice-bureau-2024.targets.json"


def build(seed: Path, out: Path) -> dict[str, object]:
    result = parse_targets_text(seed.read_text(encoding="utf-8"), source=seed.name)
    out.write_text(json.dumps(result.data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return result.data


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="由绩效目标文本重新生成默认数据集 JSON")
    ap.add_argument("seed", nargs="?", type=Path, help=f"绩效目标文本（默认 {DEFAULT_SEED}）")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"输出文件（默认 {DEFAULT_OUT}）")
    args = ap.parse_args(argv)
    seed: Path = args.seed or (DEFAULT_SEED if DEFAULT_SEED.exists() else BUNDLED_SEED)
    try:
        data = build(seed, args.out)
    except (OSError, TargetsParseError) as exc:
        print(f"生成失败：{exc}", file=sys.stderr)
        return 1
    n_ind = sum(len(p["indicators"]) for p in data["projects"])  # type: ignore[index]
    print(f"已写入 {args.out}：{len(data['projects'])} 个项目，{n_ind} 个项目指标")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

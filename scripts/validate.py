"""Write docs/validation.md: the backtest against the evidence register, and published figures.

The backtest replays every row of geodata/evidence.toml (fitted rows scored out of sample by
cross-validation); the published INSTC-vs-Suez figures come from ``[validation.*]`` in
geodata/parameters.toml (with their sources) and are not fitted directly.

Usage::

    python scripts/validate.py           # (re)writes docs/validation.md
    python scripts/validate.py --check   # exits 1 if docs/validation.md is not current
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "validation.md"


def build() -> str:
    from corridormap.report import validation_markdown

    return validation_markdown()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if docs/validation.md is stale")
    args = ap.parse_args(argv)
    text = build()
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print("docs/validation.md is stale: run python scripts/validate.py", file=sys.stderr)
            return 1
        return 0
    from corridormap._atomic import atomic_write

    atomic_write(OUT, text)
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

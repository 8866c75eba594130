"""Write or check README's coverage lists: what the bundled network models and what it does not.

The lists between ``<!-- coverage -->`` and ``<!-- /coverage -->`` in README.md are
``corridormap.coverage.coverage(G).to_markdown()`` of the bundled network, so they change with
the data and with nothing else. ``tests/test_coverage.py`` fails while they are stale.

Usage::

    python scripts/readme_coverage.py           # check: exit 1 if README is stale
    python scripts/readme_coverage.py --write   # rewrite the lists from the data
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START, END = "<!-- coverage -->\n", "<!-- /coverage -->"


def generated() -> str:
    """The lists as the bundled data gives them now."""
    import corridormap as cm
    from corridormap.coverage import coverage

    return coverage(cm.load_network()).to_markdown()


def current(text: str) -> str:
    """The lists README holds now."""
    if START not in text or END not in text:
        raise SystemExit(f"README.md has no {START.strip()} ... {END} block")
    return text.split(START, 1)[1].split(END, 1)[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite README's lists")
    args = ap.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    new = generated()
    if current(text) == new:
        print("README coverage lists are current")
        return 0
    if not args.write:
        print("README coverage lists are stale: run python scripts/readme_coverage.py --write")
        return 1
    head, rest = text.split(START, 1)
    README.write_text(head + START + new + END + rest.split(END, 1)[1], encoding="utf-8")
    print("README coverage lists rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())

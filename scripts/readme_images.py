"""Write the README's charts into docs/img/ with the corridormap command itself.

* ``docs/img/time-distance-mumbai-moscow.png``: ``corridormap route Mumbai Moscow --chart``
  (the time-distance and cost-distance chart of the fastest route, P10-P90 band);
* ``docs/img/compare-mumbai-moscow.png``: ``corridormap compare Mumbai Moscow --chart``.

Usage::

    python scripts/readme_images.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMG = ROOT / "docs" / "img"

COMMANDS = [
    ["route", "Mumbai", "Moscow", "--chart", str(IMG / "time-distance-mumbai-moscow.png")],
    ["compare", "Mumbai", "Moscow", "--chart", str(IMG / "compare-mumbai-moscow.png")],
]


def main() -> int:
    from corridormap.cli import main as cli

    IMG.mkdir(parents=True, exist_ok=True)
    for argv in COMMANDS:
        code = cli([*argv, "-q"])
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The commands' outputs on the bundled data, pinned byte for byte (``scripts/golden.py``).

A change meant to keep behaviour leaves every case equal; one meant to change an answer
records them again with ``python scripts/golden.py --write`` and the diff shows what moved.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import golden

#: cases that replay the whole evidence register or run the main job (end to end: make test)
SLOW = {"demo", "backtest", "backtest-json", "backtest-as-is-csv", "calibrate-json"}


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.e2e) if n in SLOW else n for n in golden.CASES],
)
def test_output_unchanged(name):
    assert golden.differences(name) == []

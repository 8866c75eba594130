"""The validation report, docs/validation.md, is what scripts/validate.py writes now."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.e2e
def test_validation_page_is_current():
    res = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "validate.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr

"""Every notebook runs top to bottom on a fresh kernel, offline, in under 60 s."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: folders a run may create or change (caches, environments, outputs git ignores)
SCRATCH = {".git", ".venv", "out", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis",
           ".ipynb_checkpoints", "build", "dist"}  # fmt: skip


def _tree() -> dict[str, tuple[int, int]]:
    """Every file of the checkout but its scratch folders: path -> (size, mtime in ns)."""
    out = {}
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        if any(part in SCRATCH or part.endswith(".egg-info") for part in rel.parts):
            continue
        if path.is_file():
            st = path.stat()
            out[str(rel)] = (st.st_size, st.st_mtime_ns)
    return out


def test_notebooks_exist():
    names = [p.name for p in NOTEBOOKS]
    assert "02-instc-vs-suez.ipynb" in names and "04-bring-your-own-data.ipynb" in names


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path):
    """Run in its own folder, as Jupyter runs it: it writes nothing into the checkout (a
    file it saves goes to a temporary folder), so ``git status`` stays clean."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        "commit notebooks with outputs stripped"
    )
    client = NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    before = _tree()
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    after = _tree()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert changed == [], f"{path.name} wrote into the checkout: {changed}"
    assert elapsed < 60, f"{path.name} took {elapsed:.1f} s"
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors


@pytest.mark.notebook
def test_notebook_02_chart_cell_shows_an_image(tmp_path, monkeypatch):
    """Charts show in Jupyter: nothing forces a backend, so the comparison chart's cell has an
    image output (executed as nbconvert does, with the kernel's default inline backend)."""
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.delenv("MPLBACKEND", raising=False)
    path = next(p for p in NOTEBOOKS if p.name.startswith("02-"))
    nb = nbformat.read(path, as_version=4)
    chart_cells = [c for c in nb.cells if c.cell_type == "code" and ".plot(" in c.source]
    assert chart_cells
    NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    for cell in chart_cells:
        kinds = [o.get("output_type") for o in cell.outputs]
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert images, f"no image output in {cell.source!r}: {kinds}"

"""Every notebook runs top to bottom on a fresh kernel, offline, in under 60 s."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_notebooks_exist():
    names = [p.name for p in NOTEBOOKS]
    assert "02-instc-vs-suez.ipynb" in names and "04-bring-your-own-data.ipynb" in names


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        "commit notebooks with outputs stripped"
    )
    client = NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
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

"""The package's shape: one job per module, imports that flow one way.

Read from the source with ``ast`` (nothing is imported), counting the imports inside functions
as well as those at the top of a module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "corridormap"
PACKAGE = "corridormap"
#: the most lines a module may have before it holds more than one job
MAX_LINES = 900
#: modules that draw (matplotlib figures, Leaflet pages)
RENDER = "corridormap.render"
#: the command line and the main job, which may import anything
SHELL = ("corridormap.cli", "corridormap.demo")


def _modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[str, str, int]]:
    """``(module imported, name imported or "", line)`` for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    base = name.split(".") if is_package else name.split(".")[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - (node.level - 1)]
                target = ".".join(anchor + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != PACKAGE:
                continue
            for alias in node.names:
                full = f"{target}.{alias.name}"
                if full in MODULES:
                    out.append((full, "", node.lineno))
                else:
                    out.append((target, alias.name, node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == PACKAGE:
                    out.append((alias.name, "", node.lineno))
    return out


def _graph() -> nx.DiGraph:
    G = nx.DiGraph()
    for name, path in MODULES.items():
        G.add_node(name)
        for target, _, line in _imports(name, path):
            if target in MODULES and target != name and target != PACKAGE:
                G.add_edge(name, target, line=line)
    return G


def test_no_import_loops():
    G = _graph()
    loops = [sorted(c) for c in nx.strongly_connected_components(G) if len(c) > 1]
    assert loops == []


def test_no_private_names_across_modules():
    crossing = []
    for name, path in MODULES.items():
        for target, imported, line in _imports(name, path):
            private = imported.startswith("_") and not imported.startswith("__")
            if private and target != name:
                crossing.append(f"{path.relative_to(SRC)}:{line} imports {target}.{imported}")
    assert crossing == []


def test_analyses_never_import_render():
    """Results draw through methods that import the renderer lazily; renderers take numbers.

    So the only imports of ``corridormap.render`` outside it are inside functions, and render
    imports no module that imports it.
    """
    offenders = []
    for name, path in MODULES.items():
        if name.startswith(RENDER) or name.startswith(SHELL) or name == PACKAGE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level only
            if isinstance(node, ast.ImportFrom) and node.module and "render" in node.module:
                offenders.append(f"{name}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_size(name):
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines"

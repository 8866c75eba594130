"""The README is the user's manual: every command and code block in it runs, and the public
API it documents is exactly corridormap.__all__."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import corridormap as cm

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def _commands() -> list[str]:
    cmds = []
    for block in _blocks("sh"):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("corridormap "):
                cmds.append(line)
    return cmds


COMMANDS = _commands()


def test_readme_shows_the_two_setup_commands():
    setup = _blocks("sh")[0]
    assert "make demo" in setup and "make test" in setup
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_readme_has_a_command_tour():
    verbs = {c.split()[1] for c in COMMANDS}
    assert {"route", "compare", "map", "bottlenecks", "capacity", "scenario", "places"} <= verbs


@pytest.mark.e2e
@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_runs(command, tmp_path):
    argv = shlex.split(command)
    argv[0] = str(BIN / "corridormap")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    res = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip()


def test_readme_python_block_runs(tmp_path):
    code = "\n".join(_blocks("python"))
    res = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "routes.html").stat().st_size > 0


def test_public_api_matches_readme():
    block = README.split("<!-- api -->")[1].split("<!-- /api -->")[0]
    listed = re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", block)
    assert len(listed) == len(set(listed)), "each name once"
    documented = set(listed)
    assert documented == set(cm.__all__)
    for name in cm.__all__:
        assert hasattr(cm, name), name


def test_readme_console_excerpt_is_current(tmp_path):
    block = re.findall(r"```console\n(.*?)```", README, flags=re.S)[0].splitlines()
    command = block[0].removeprefix("$ ")
    argv = shlex.split(command)
    argv[0] = str(BIN / "corridormap")
    out = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    lines = {line.rstrip() for line in out.splitlines()}
    for line in block[1:]:
        assert line.rstrip() in lines, line


def test_readme_figures_match_the_model(bundled_G):
    """The figures quoted in the README prose come out of the model as it is now."""
    import numpy as np

    from corridormap.scenarios import compare_scenarios

    comp = cm.compare(bundled_G, "Mumbai", "Moscow", draws=10_000, seed=0)
    west = np.percentile(comp.days["instc-western"], 50)
    suez = np.percentile(comp.days["suez"], 50)
    assert f"Mumbai–Moscow by INSTC\n  {west:.1f} days P50" in README
    assert f"India–Novorossiysk line ({suez:.1f} days)" in README
    north = np.percentile(comp.days["suez-north-europe"], 50)
    assert f"and the\n  Baltic {north:.1f} days" in README
    sc = compare_scenarios(bundled_G, [("Mumbai", "Moscow")], ["rasht-astara-railway"])
    row = sc.to_dict()[0]
    assert f"saves {-row['delta_days']:.1f} days and ${-row['delta_cost_usd']:,.0f}/TEU" in README
    # ... and at P50, from the same Monte Carlo as route and compare
    from corridormap.uncertainty import route_percentiles

    rail = cm.apply_scenario(bundled_G, "rasht-astara-railway")
    p0, p1 = (
        route_percentiles(bundled_G, cm.route(bundled_G, "Mumbai", "Moscow", weight=w))
        for w in (cm.make_weight("time_h"), rail.weight("time_h"))
    )
    d_days = p0["days"]["p50"] - p1["days"]["p50"]
    d_usd = p0["cost_usd"]["p50"] - p1["cost_usd"]["p50"]
    assert f"({d_days:.1f} days and ${d_usd:,.0f} at P50" in README
    r = cm.route(bundled_G, "Mumbai", "Moscow")
    pr = route_percentiles(bundled_G, r)["days"]
    assert (
        f'("{pr["p50"]:.1f} days P50 (P10–P90 {pr["p10"]:.1f}–{pr["p90"]:.1f}), '
        f'likely-values route {r.days:.1f} days")'
    ) in " ".join(README.split())
    gd = cm.load_geodata()
    official = sum(1 for link in gd.links.values() if link["basis"] == "official")
    assert (
        f"holds {len(gd.nodes)} places, {len(gd.links)} links and {len(gd.stations)} "
        "intermediate stations"
    ) in README
    assert f"{official} links have\nan official length" in README

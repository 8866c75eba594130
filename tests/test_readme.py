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


@pytest.mark.e2e
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
    prose = " ".join(README.split())
    transit = cm.compare(bundled_G, "Mumbai", "Moscow", draws=10_000, seed=0)
    door = cm.compare(bundled_G, "Mumbai", "Moscow", draws=10_000, seed=0, clock="door-to-door")
    t = transit.to_frame(None).set_index("family")
    d = door.to_frame(None).set_index("family")
    west = t.loc["instc-western"]
    assert (
        f"branch {west.days_expected:.1f} days expected on the transit clock "
        f"(P10–P90 {west.days_p10:.1f}–{west.days_p90:.1f}), by the Suez Canal and "
        f"Novorossiysk {t.loc['suez'].days_expected:.1f}, via northern Europe "
        f"{t.loc['suez-north-europe'].days_expected:.1f}; door to door "
        f"{d.loc['instc-western'].days_expected:.1f} against {d.loc['suez'].days_expected:.1f} "
        f"and {d.loc['suez-north-europe'].days_expected:.1f}."
    ) in prose
    assert (
        f"is {transit.p_instc_beats('suez'):.2f} on the transit clock, "
        f"{door.p_instc_beats('suez'):.2f} door to door"
    ) in prose
    assert f"({west.schedule_wait_days_expected:.1f} days at Nhava Sheva" in prose
    # the Rasht-Astara railway: the fastest route does not change, the railway route does
    rail = cm.apply_scenario(bundled_G, "rasht-astara-railway")
    sc = cm.compare_scenarios(bundled_G, [("Mumbai", "Moscow")], ["rasht-astara-railway"])
    assert sc.to_dict()[0]["delta_days"] == 0
    assert f"then rail from Baku: {west.days_expected:.1f} days transit" in prose
    via = ["Shahid Rajaei", "Rasht", "Astara (AZ)"]
    lm = [None, ["rail"], None, None]
    r0, r1 = (
        cm.route(bundled_G, "Mumbai", "Moscow", via=via, leg_modes=lm, weight=w)
        for w in (None, rail.weight("time_h"))
    )
    assert (
        f"takes {r0.days:.1f} days and ${r0.cost_usd:,.0f}/TEU, with the railway "
        f"{r1.days:.1f} days and ${r1.cost_usd:,.0f} ({r0.days - r1.days:.1f} days and "
        f"${r0.cost_usd - r1.cost_usd:,.0f}/TEU saved"
    ) in prose
    assert f"saves {r0.days - r1.days:.1f} days and ${r0.cost_usd - r1.cost_usd:,.0f}/TEU" in prose
    # the validation figures are those of docs/validation.md (itself checked current)
    report = " ".join((ROOT / "docs" / "validation.md").read_text(encoding="utf-8").split())
    oos = re.search(
        r"\*\*Out of sample\*\* \((\d+) observations scored, (\d+) not replayable\): median "
        r"absolute error ([\d.]+%) \(target at most (\d+)%: (\w+)\), (\d+%) of observations "
        r"inside P10-P90 \(target at least (\d+)%: (\w+)\)\. Holdout rows alone \(\d+\): median "
        r"absolute error ([\d.]+%)",
        report,
    )
    assert oos, "docs/validation.md states its out-of-sample figures"
    n, lost, err, target, verdict, inside, target_in, verdict_in, holdout = oos.groups()
    assert (
        f"median absolute error {err} (target at most {target}%: {verdict}), {inside} of "
        f"observations inside P10–P90 (target at least {target_in}%: {verdict_in}), {n} "
        f"observations scored"
    ) in prose
    assert lost == "0" and "none unreplayable" in prose
    assert f"The held-out rows do worse ({holdout})" in prose
    sigma = re.search(r"`model.discrepancy_sigma_log` = ([\d.]+)", report).group(1)
    assert f"the model discrepancy ({sigma} on the log scale)" in prose
    assert "**What is calibrated.** No time parameter" in report

    def row(claim: str) -> str:
        return re.search(rf"\| fffai_study_2017 \| {claim} \| [^|]+ \| ([\d.]+)", report).group(1)

    assert (
        f"by the INSTC {row('INSTC days, Mumbai - Russia')} days door to door, inside FFFAI's "
        f"25–30; by Suez {row('Suez days, Mumbai - Russia')} days (the direct "
        f"India–Novorossiysk line) and {row('Suez days via northern Europe, Mumbai - Russia')} "
        "by the traditional route"
    ) in prose
    assert (
        f"is {row('INSTC time saving vs Suez')}% faster than the best Suez route and "
        f"{row('INSTC time saving vs Suez via northern Europe')}% faster than the traditional "
        f"one (40% claimed), and {row('INSTC cost saving vs Suez')}% and "
        f"{row('INSTC cost saving vs Suez via northern Europe')}% cheaper (30% claimed)"
    ) in prose
    gd = cm.load_geodata()
    official = sum(1 for link in gd.links.values() if link["basis"] == "official")
    assert (
        f"holds {len(gd.nodes)} places, {len(gd.links)} links and {len(gd.stations)} "
        "intermediate stations"
    ) in README
    assert f"{official} links have\nan official length" in README

"""What a network models and what it does not: the lists come from the data, cover every place,
kind, branch and region, and README's coverage section is the bundled network's."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import corridormap as cm
from conftest import link, node, write_geodata
from corridormap import gazetteer
from corridormap.coverage import KIND_WORDS, coverage
from corridormap.gazetteer import City, Country
from corridormap.places import short_name

ROOT = Path(__file__).resolve().parent.parent


def _network(tmp_path):
    POT = node("POT", 41.67, 42.15, country="GE", kind="port", name="Poti")
    TBS = node("TBS", 44.79, 41.72, country="GE", name="Tbilisi")
    SAD = node("SAD", 45.0, 41.25, country="GE", kind="border_crossing", name="Sadakhlo")
    BAK = node("BAK", 49.87, 40.41, country="AZ", name="Baku (city)")
    STR = node("STR", 42.0, 42.2, country="TR", kind="chokepoint", name="Narrows")
    d = write_geodata(
        tmp_path / "geo",
        {
            "nodes": [POT, TBS, SAD, BAK, STR],
            "links": [
                link("POT-TBS", POT, TBS, "rail", country="GE", branch=["caucasus"]),
                link("TBS-SAD", TBS, SAD, "rail", country="GE", branch=["caucasus"]),
                link("TBS-BAK", TBS, BAK, "rail", country="GE/AZ", branch=["caucasus", "east"]),
                link("POT-STR", POT, STR, "sea", services=["line"], branch=["sea"]),
            ],
        },
    )
    (d / "regions.toml").write_text(
        '[regions.georgia]\ndescription = "d"\nsource = "s"\nnodes = ["POT", "TBS", "SAD"]\n',
        encoding="utf-8",
    )
    return cm.load_network(d)


@pytest.fixture
def world(monkeypatch):
    """A stand-in gazetteer: two countries with places, two neighbours, a few cities."""
    cities = [
        City(1, "Tbilisi", "GE", 44.80, 41.70, 1_100_000),  # 2 km from a place: modelled
        City(2, "Kutaisi", "GE", 42.70, 42.27, 150_000),  # under the threshold
        City(3, "Batumi", "GE", 41.64, 41.64, 1_200_000),  # 56 km from Poti: not modelled
        City(4, "Ganja", "AZ", 46.36, 40.68, 1_300_000),
        City(5, "Yerevan", "AM", 44.51, 40.18, 1_000_000),
        City(6, "Istanbul", "TR", 28.95, 41.01, 15_000_000),
        City(7, "Sadakhlo", "GE", 45.5, 41.8, 1_050_000),  # 74 km away, but a place bears its name
    ]
    countries = {
        "GE": Country("GE", "Georgia", "Tbilisi", ("AM", "AZ", "RU", "TR")),
        "AZ": Country("AZ", "Azerbaijan", "Baku", ("AM", "GE", "IR", "RU")),
        "AM": Country("AM", "Armenia", "Yerevan", ("AZ", "GE", "IR", "TR")),
        "TR": Country("TR", "Turkey", "Ankara", ("AM", "AZ", "GE", "IR")),
    }

    def cities_in(codes, min_population=15_000):
        wanted = set(codes)
        out = [c for c in cities if c.country in wanted and c.population >= min_population]
        return sorted(out, key=lambda c: (-c.population, c.geonameid))

    monkeypatch.setattr(gazetteer, "cities_in", cities_in)
    monkeypatch.setattr(gazetteer, "countries", lambda: countries)


def test_every_place_kind_branch_and_region_is_listed(tmp_path, world):
    G = _network(tmp_path)
    cov = coverage(G, min_population=1_000_000)
    listed = sorted(n for kinds in cov.places.values() for names in kinds.values() for n in names)
    assert listed == sorted(short_name(p["name"]) for p in cm.places(G).values())
    assert cov.places["GE"] == {
        "port": ["Poti"],
        "city": ["Tbilisi"],
        "border_crossing": ["Sadakhlo"],
    }
    assert cov.kinds() == ["city", "port", "border_crossing", "chokepoint"]
    assert cov.links == {"rail": 3, "sea": 1}
    assert cov.branches == {
        "caucasus": (3, ("AZ", "GE")),
        "east": (1, ("AZ", "GE")),
        "sea": (1, ("GE", "TR")),
    }
    assert cov.regions == {"georgia": 3}
    md = cov.to_markdown()
    for kind in cov.kinds():
        assert KIND_WORDS[kind] in md
    for text in (
        "**Georgia** (GE)",
        "**Turkey** (TR): chokepoints Narrows",
        "`caucasus`",
        "`georgia` (3)",
    ):
        assert text in md


def test_what_is_not_modelled_and_its_nearest_place(tmp_path, world):
    cov = coverage(_network(tmp_path), min_population=1_000_000)
    # Tbilisi has a place 2 km away; Kutaisi is too small; Istanbul's country has only a
    # chokepoint, where no cargo starts or ends, so Turkey is not a country the network serves
    assert [(x.name, x.place, round(x.km)) for x in cov.unmodelled_cities] == [
        ("Ganja", "SAD", 131),
        ("Batumi", "POT", 57),
    ]
    # Armenia borders both served countries and has no place; Turkey has one (a chokepoint)
    assert [(x.name, x.capital, x.place) for x in cov.unreached_neighbours] == [
        ("Armenia", "Yerevan", "SAD")
    ]
    assert "- Armenia (AM), from Yerevan: Sadakhlo, 130 km" in cov.to_markdown()
    assert cov.to_dict()["unmodelled_cities"][0]["name"] == "Ganja"


def test_per_country_keeps_the_largest(tmp_path, world):
    cov = coverage(_network(tmp_path), min_population=1_000_000, per_country=1)
    assert [x.name for x in cov.unmodelled_cities] == ["Ganja", "Batumi"]
    cov = coverage(_network(tmp_path), min_population=1_250_000)
    assert [x.name for x in cov.unmodelled_cities] == ["Ganja"]


def test_readme_coverage_section_is_the_bundled_networks():
    spec = importlib.util.spec_from_file_location(
        "readme_coverage", ROOT / "scripts" / "readme_coverage.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert script.current(readme) == script.generated(), (
        "README's coverage lists are stale: run python scripts/readme_coverage.py --write"
    )

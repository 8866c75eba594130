r"""The corridor explorer: a static page where a reader picks a pair, a scenario and a clock.

:func:`write_explorer` writes ``index.html`` and the data it loads into a folder that opens
from ``file://`` with no server and no network (or, ``self_contained=True``, one HTML file with
everything inlined). The page shows, for the chosen origin, destination, scenario and clock,
each route family's route on a Leaflet map over the offline country basemap, a table of its
expected days and USD per TEU with their P10 / P50 / P90, the expected wait for the first
departure, CO2, borders and transshipments, the probability that the best INSTC branch is
faster than each sea family, a finding in words (the fastest family by expected days), and the
chosen family's time-distance profile as SVG. The choice lives in the URL hash
(``#from=NSA&to=MOW&scenario=red-sea-closed&clock=transit&family=suez``).

The data (:func:`check_explorer_data` states the rules) is a plain JSON-serialisable dict::

    {"version": 2, "title": str, "credit": str, "draws": int, "seed": int,
     "clocks": [{"name", "label"}, ...],
     "places": [{"id", "name", "aliases": [str], "country", "kind", "lat", "lon"}, ...],
     "links": {link_id: {"mode", "name", "coords": [[lon, lat], ...]}},
     "families": [{"name", "label", "instc": bool, "color": "#rrggbb" (optional)}, ...],
     "scenarios": [{"name", "title", "description", "sources": [str]}, ...],
     "routes": {route_id: {"links": [link_id], "places": [place_id], "km": float,
                           "steps": [[km_from, km_to, hours, kind, mode, label], ...]}},
     "results": {origin_id: {dest_id: {scenario_name: {
         "families": {family_name: {clock_name: {
             "route": route_id,
             "days": [expected, p10, p50, p90], "usd": [expected, p10, p50, p90],
             "schedule_wait_days": float, "co2_kg": float,
             "borders": int, "transshipments": int}, ...}},
         "best": {clock_name: family_name},
         "p_instc_faster": {clock_name: {sea_family_name: probability}}}}}}}

Each clock is a comparison of its own (``corridormap compare --clock CLOCK``): a family's route
is the one with the least expected days on that clock, so the clocks of one family may take
different routes. A family missing from ``families`` has no route. The headline of every
figure is its expected value (the mean), with P10 / P50 / P90 as the spread. A step's
``hours`` is the step's own expected duration; ``kind`` is one of :data:`STEP_KINDS`, ``mode``
the link mode of a move (else ``""``). A route's steps may start with the wait for the first
departure (``kind`` ``wait`` at km 0): the page draws it only on the clock named
:data:`WAIT_CLOCK` (and, for data without that step, draws the family's
``schedule_wait_days`` there).

Numbers in the page are printed with :data:`NUMBER_FORMATS` (Python format specifications),
applied here in Python: the data files carry the printed digits as integers (tenths of a
day, whole USD, whole kg, whole percent), so the page shows exactly what
:func:`format_value` gives for the same number, and a command printing through
:func:`format_value` agrees with the page to the digit. A probability is printed as
``corridormap compare`` prints it, to two decimals, read as a whole percent. The profile's
distances and hours are kept to 0.1 km and 0.1 h. :func:`corridormap.explore.explorer_data`
builds the data from the sweep's machinery.

Layout of the folder::

    index.html             the page (title and static text; no data in the markup)
    assets/                leaflet.js, leaflet.css, images/ (xstatic-leaflet), explorer.js/.css
    data/meta.js           title, credit, clocks, places, families, scenarios, colours, origins
    data/links.js          link geometry, once per link
    data/steps.js          the profile steps, once per distinct step
    data/basemap.js        the Natural Earth country basemap
    data/origin-NNN.js     one per origin: its routes and results, loaded when first chosen

Each data file is a script that registers its payload with
``window.CORRIDORMAP_EXPLORER.push({...})`` (Chromium refuses ``fetch`` of ``file://`` URLs);
file names are numbered, never taken from the data. Every string from the data reaches the
page as JSON inside a script (``<``, ``>``, ``&``, U+2028/2029 escaped, see
:func:`corridormap.render._html.js`) and is put into the page as text (``textContent``), never
as markup.

The page also works in an iframe, at phone width (the map above the table) and with the
keyboard alone. Modules: ``schema.py`` (the checks), ``payloads.py`` (the numbers as printed
digits, the files' payloads), ``writer.py`` (the page, its assets, writing),
``assets/explorer.js`` and ``assets/explorer.css`` (the page's script and style sheet).
"""

from __future__ import annotations

from .payloads import NUMBER_FORMATS, WAIT_CLOCK, format_value
from .schema import SCHEMA_VERSION, STEP_KINDS, ExplorerDataError, check_explorer_data
from .writer import explorer_files, write_explorer

__all__ = [
    "NUMBER_FORMATS",
    "SCHEMA_VERSION",
    "STEP_KINDS",
    "WAIT_CLOCK",
    "ExplorerDataError",
    "check_explorer_data",
    "explorer_files",
    "format_value",
    "write_explorer",
]

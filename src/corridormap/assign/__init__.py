"""Freight volumes assigned to the network, with queues that grow with utilisation.

A volume file lists flows between places or regions; :func:`assign` routes every flow so that
none could arrive sooner on another route given the queues the others cause (Wardrop's user
equilibrium). One module per job:

==================  ==========================================================================
``volumes.py``      volume files: :class:`Flow`, :class:`Volumes`, :func:`load_volumes`
``queues.py``       the queue model: :class:`QueueCurve`, the capacity-limited elements
``paths.py``        the flows resolved and their paths, searched through :mod:`corridormap.search`
``equilibrium.py``  :func:`assign`: gradient projection (or Frank-Wolfe) to a relative gap
``result.py``       :class:`Assignment`, the result (its ``map()`` draws lazily)
``savings.py``      what a scenario saves at a volume: :func:`scenario_savings`
==================  ==========================================================================
"""

from __future__ import annotations

from .equilibrium import assign
from .queues import QueueCurve
from .result import ELEMENT_FIELDS, FLOW_FIELDS, Assignment, describe
from .savings import SAVING_FIELDS, saving_curve, scenario_savings
from .volumes import Flow, Volumes, list_volumes, load_volumes

__all__ = [
    "ELEMENT_FIELDS",
    "FLOW_FIELDS",
    "SAVING_FIELDS",
    "Assignment",
    "Flow",
    "QueueCurve",
    "Volumes",
    "assign",
    "describe",
    "list_volumes",
    "load_volumes",
    "saving_curve",
    "scenario_savings",
]

"""Elements whose output goes on the page as written, never parsed as a template.

:func:`page_classes`: :class:`Raw` text and :class:`RawMacro`, the base of every element of
the maps, which puts its rendered output on the page as written. branca's own
``MacroElement.render`` would compile that output (holding names and notes from geodata) as a
new Jinja template; folium's ``FeatureGroup`` and ``LayerControl`` are used in that form too.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def page_classes() -> dict[str, type]:
    """Elements whose output goes on the page as written, never parsed as a template.

    branca's ``MacroElement.render`` wraps the text each macro returns in
    ``Element(text)``, which compiles that text as a *new* Jinja template when the page is
    rendered: any ``{{ ... }}`` in a name, a note or a label would then run (and ``{#`` would
    swallow the page up to the next ``#}``). The classes here render the macros the same way
    but add the text as a :class:`Raw` element, whose ``render`` returns it unchanged.
    ``FeatureGroup`` and ``LayerControl`` are folium's own with that rendering (the layer
    control's output holds the layer names).
    """
    import folium
    from branca.element import Element, Figure, MacroElement

    class Raw(Element):
        """Text put on the page exactly as given: not a template."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self._name = "Raw"
            self.text = text

        def render(self, **kwargs: Any) -> str:
            return self.text

    class RawMacro(MacroElement):
        """A macro element whose rendered macros are added to the page as :class:`Raw`."""

        def render(self, **kwargs: Any) -> None:
            figure = self.get_root()
            if not isinstance(figure, Figure):
                raise ValueError(f"cannot render {self._name}: it is not in a page (Figure)")
            macros = self._template.module.__dict__
            for part in ("header", "html", "script"):
                macro = macros.get(part)
                if macro is not None:
                    text = str(macro(self, kwargs))
                    getattr(figure, part).add_child(Raw(text), name=self.get_name())
            for child in self._children.values():
                child.render(**kwargs)

    class FeatureGroup(folium.FeatureGroup, RawMacro):
        """folium's feature group, rendered without re-templating."""

    class LayerControl(folium.LayerControl, RawMacro):
        """folium's layer control (it holds the layer names), rendered without re-templating."""

    return {
        "Raw": Raw,
        "RawMacro": RawMacro,
        "FeatureGroup": FeatureGroup,
        "LayerControl": LayerControl,
    }

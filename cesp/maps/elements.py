"""folium/branca elements of our pages: the asset tags (linked or inlined), the page
title, and the call that hands the folium layers to our script (``CespMap.start``)."""

from __future__ import annotations

import json
from typing import Any

from branca.element import Element, Figure, MacroElement
from markupsafe import escape

from cesp.maps.assets import SCRIPTS, STYLES, inline_script, inline_style


def no_cdn(*elements: Any) -> None:
    """Drop folium's CDN links from these elements (instance attributes: folium's
    ``add_js_link`` would edit the class-level lists shared by every map)."""
    for element in elements:
        element.default_js = []
        element.default_css = []


class RawHtml(Element):
    """A fixed piece of HTML for the page header. branca's ``Element(text)`` compiles its
    text as a jinja template at every page build (an inlined Leaflet is a 150 kB
    template); these tags hold no template code, so they are written as they are."""

    def __init__(self, html: str):
        super().__init__()
        self._name = "RawHtml"
        self.html = html

    def render(self, **kwargs: Any) -> str:
        """The HTML itself."""
        return self.html


def add_assets(figure: Figure, *, inline: bool, prefix: str) -> None:
    """Put our stylesheets and scripts in the page header: links under ``prefix``, or
    their text (``inline``) for a page that must work with no server at all."""
    for style in STYLES:
        if inline:
            tag = f"<style>{inline_style(style)}</style>"
        else:
            tag = f'<link rel="stylesheet" href="{escape(style.url(prefix))}"/>'
        figure.header.add_child(RawHtml(tag), name=style.name)
    for script in SCRIPTS:
        if inline:
            tag = f"<script>{inline_script(script)}</script>"
        else:
            tag = f'<script src="{escape(script.url(prefix))}"></script>'
        figure.header.add_child(RawHtml(tag), name=script.name)


def add_title(figure: Figure, title: str) -> None:
    """The page's ``<title>``."""
    figure.header.add_child(RawHtml(f"<title>{escape(title)}</title>"), name="page_title")
    # No favicon request: the browser would otherwise ask for /favicon.ico.
    figure.header.add_child(RawHtml('<link rel="icon" href="data:,">'), name="page_icon")


def compact_json(value: Any) -> str:
    """JSON with no spaces, safe inside a ``<script>`` (as jinja's ``tojson`` escapes)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, escaped)
    return text


class CespStart(MacroElement):
    """Calls ``CespMap.start(map, layers, config)`` once folium has built the map and
    its layers; our script draws the dynamic content (zones, communes, posts, tools).

    The call is written here, not through a jinja macro: branca compiles the text a
    macro renders as a new template (``MacroElement.render``), which for the national
    map meant parsing 2 MB of zone JSON as jinja at every build, and evaluating any
    ``{{ }}`` a zone or decree name might hold."""

    def __init__(self, layers: dict[str, Element], config: dict[str, Any]):
        super().__init__()
        self._name = "CespStart"
        self.layers = layers
        self.config = config
        self.config_json = compact_json(config)

    def render(self, **kwargs: Any) -> str:
        """Add the start call to the page's script, after folium's set-up of the map
        (the part of the page it makes is the script: nothing to return in place)."""
        entries = ",".join(
            f"{compact_json(key)}:{layer.get_name()}" for key, layer in self.layers.items()
        )
        parent = self._parent
        assert parent is not None, "CespStart is added to a map"
        call = f"CespMap.start({parent.get_name()}, {{{entries}}}, {self.config_json});"
        figure = self.get_root()
        assert isinstance(figure, Figure), "CespStart is rendered within a page"
        figure.script.add_child(RawHtml(call), name=self.get_name())
        return ""

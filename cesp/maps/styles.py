"""Colours and line styles of the maps, in one place.

Zone colours follow the category (warm for the categories that open the CESP, cool or
grey for the others); a category the table does not know yet is drawn with the
fallback colour of its kind, so a new category never breaks the map.
"""

from __future__ import annotations

from typing import Any

CATEGORY_COLOURS: dict[str, str] = {
    "ZIP": "#b2182b",
    "ZAC": "#ef8a62",
    "ZV": "#9e9ac8",
    "zone_deficitaire": "#d6604d",
    "tres_sous_dotee": "#b2182b",
    "sous_dotee": "#ef8a62",
    "intermediaire": "#fee090",
    "tres_dotee": "#91bfdb",
    "sur_dotee": "#4575b4",
    "_qualifying": "#d6604d",
    "_other": "#9e9ac8",
}

# The preview's changes use none of the zone colours (red, orange, yellow, blue, purple
# mean categories on the main map): teal enters, brown leaves, grey stays (BrBG ends,
# readable by colour-blind users; "leaving" is also drawn dashed).
ENTERING_COLOUR = "#01665e"
LEAVING_COLOUR = "#8c510a"
KEPT_COLOUR = "#969696"

OUTLINE_STYLE: dict[str, Any] = {
    "color": "#08306b",
    "weight": 3,
    "dashArray": "8 6",
    "fill": False,
}


def background_style(with_tiles: bool) -> dict[str, Any]:
    """Départements: a light land colour and a grey outline, readable with no tiles
    (transparent over tiles, which then give the land)."""
    return {
        "color": "#8c8c8c",
        "weight": 1.2,
        "fillColor": "#f4f1ea",
        "fillOpacity": 0.0 if with_tiles else 1.0,
    }

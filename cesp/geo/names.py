"""Name keys for commune search.

Users type "Courneuve", "LA COURNEUVE", "la-courneuve" or "St-Denis"; the COG writes
"La Courneuve" (article type in TNCC) and the geometry files "Courneuve". A name key
folds all of them together: no accents, lower case, punctuation as spaces, no leading
article, "st"/"ste" spelled out.
"""

from __future__ import annotations

import re
import unicodedata

_ARTICLES = ("les ", "le ", "la ", "l ")
_SEPARATORS = re.compile(r"[\s'’`\-_,./()]+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def strip_accents(text: str) -> str:
    """Remove diacritics ("Épisy" -> "Episy") and fold ligatures ("Œ" -> "OE")."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_key(name: str) -> str:
    """Return the search key of a commune name.

    Examples
    --------
    >>> name_key("La Courneuve") == name_key("COURNEUVE") == name_key("la-courneuve")
    True
    >>> name_key("L'Haÿ-les-Roses")
    'hay les roses'
    >>> name_key("St-Denis")
    'saint denis'
    """
    text = _SEPARATORS.sub(" ", strip_accents(name).lower()).strip()
    for article in _ARTICLES:
        if text.startswith(article) and len(text) > len(article):
            text = text[len(article) :]
            break
    return " ".join(_ABBREVIATIONS.get(word, word) for word in text.split())

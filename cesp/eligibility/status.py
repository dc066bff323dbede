"""The vocabulary of an eligibility answer's status, in one place.

The engine (``cesp.eligibility.evaluation``) stores a status as its position in
``STATUSES``; the API documents ``Status``; the map shows ``HEADINGS_FR``, which the page
hands to its script in its config (the script keeps no copy of its own).
"""

from __future__ import annotations

from typing import Final, Literal, get_args

Status = Literal[
    "eligible", "not_eligible", "borderline", "partial", "no_zoning", "outside_territory"
]
STATUSES: Final[tuple[Status, ...]] = get_args(Status)

HEADINGS_FR: Final[dict[str, str]] = {
    "eligible": "Éligible au CESP",
    "not_eligible": "Non éligible au CESP",
    "borderline": "En limite de zone (hors zone)",
    "borderline_eligible": "En limite de zone (côté éligible)",
    "partial": "Commune en partie en zone",
    "no_zoning": "Pas de zonage en vigueur",
    "outside_territory": "Hors du territoire",
}
"""The heading of a popup for each status; a borderline site inside its zone reads
``borderline_eligible``."""

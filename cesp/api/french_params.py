"""Types of query parameters and form fields written the way a French office writes them.

``Day`` is a date given as ``2026-11-15`` (ISO 8601, what programs send) or
``15/11/2026`` (jj/mm/aaaa, what a person types in a URL or a form): the rule is
``cesp.conventions.parse_day``, the one the CLI and the CSV columns use. In a JSON body
too: pydantic alone would take a number of seconds since 1970 (``"date": 0``) or
``20261204``.

``refuse_booleans`` keeps a coordinate in a JSON body a number, not ``true``/``false``
(which pydantic alone reads as 1 and 0, where the GET refuses ``lon=true``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

from cesp.conventions import parse_day

DATE_EXPECTED = "a date written YYYY-MM-DD or DD/MM/YYYY, such as 2026-11-15 or 15/11/2026"


def _day(value: Any) -> Any:
    """A date from its ISO or French spelling; anything else is refused, saying both."""
    if isinstance(value, date) or value is None:
        return value
    parsed = parse_day(str(value))
    if parsed is None:
        raise ValueError(f"expected {DATE_EXPECTED}")
    return parsed


Day = Annotated[
    date,
    BeforeValidator(_day),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "description": "YYYY-MM-DD, or DD/MM/YYYY (jj/mm/aaaa) as written in France",
        }
    ),
]


def refuse_booleans(value: Any) -> Any:
    """A field validator (``mode="before"``) for coordinates: JSON's true/false refused."""
    if isinstance(value, bool):
        raise ValueError("expected a number, not true/false")
    return value

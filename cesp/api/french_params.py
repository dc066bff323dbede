"""Types of query parameters and form fields written the way a French office writes them.

``Day`` is a date given as ``2026-11-15`` (ISO 8601, what programs send) or
``15/11/2026`` (jj/mm/aaaa, what a person types in a URL or a form): the rule is
``cesp.conventions.parse_day``, the one the CLI and the CSV columns use. In a JSON body
too: pydantic alone would take a number of seconds since 1970 (``"date": 0``) or
``20261204``.

``Mode`` is a practice mode (``liberal``, ``salarie``, ``mixte``) in any case and with or
without accents (``Libéral``, ``salarié``), the way ``cesp.conventions.plain_name``
reads a profession.

``refuse_booleans`` keeps a coordinate in a JSON body a number, not ``true``/``false``
(which pydantic alone reads as 1 and 0, where the GET refuses ``lon=true``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, WithJsonSchema

from cesp.api.validation_fr import refusal, shown
from cesp.conventions import parse_day, plain_name

DATE_EXPECTED = "a date written YYYY-MM-DD or DD/MM/YYYY, such as 2026-11-15 or 15/11/2026"
DATE_EXPECTED_FR = "écrivez-la JJ/MM/AAAA ou AAAA-MM-JJ, comme 15/11/2026 ou 2026-11-15"


def _day(value: Any) -> Any:
    """A date from its ISO or French spelling; anything else is refused, saying both."""
    if isinstance(value, date) or value is None:
        return value
    parsed = parse_day(str(value))
    if parsed is None:
        raise refusal(
            f"expected {DATE_EXPECTED}", f"{shown(value)} n'est pas une date ; {DATE_EXPECTED_FR}"
        )
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
        raise refusal(
            "expected a number, not true/false",
            f"un nombre est attendu, pas {shown(value)} (true/false)",
        )
    return value


def _plain(value: Any) -> Any:
    """A text without case or accents (``Libéral`` -> ``liberal``); other values as they are."""
    return plain_name(value) if isinstance(value, str) else value


Mode = Annotated[Literal["liberal", "salarie", "mixte"], BeforeValidator(_plain)]

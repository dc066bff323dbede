"""French conventions in what people type: dates, decimal commas, profession names.

The one place for these rules; the faces (CLI options, API forms, the bulk CSV) call
it. Reading a spreadsheet itself is ``cesp.tabular``'s business; these functions apply
to the values once read.

- Dates: ISO 8601 ``2026-11-15`` (what machines write) or ``15/11/2026`` (what a French
  office writes, also ``15-11-2026`` and ``15.11.2026``); never month first, which no
  French document uses, so ``03/04/2026`` is the 3rd of April.
- Decimals: ``2,44`` is 2.44 (decimal comma), ``2.44`` too; a thousands separator is
  refused rather than guessed.
- Professions: case and accents do not matter (``Médecin``, ``MEDECIN``), nor a space
  for a hyphen (``chirurgien dentiste``, ``sage femme``).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
FRENCH_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", re.ASCII)
DECIMAL = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def parse_day(text: str) -> date | None:
    """A date written ``YYYY-MM-DD`` or ``DD/MM/YYYY``, or None when it is neither."""
    value = text.strip()
    if ISO_DATE.fullmatch(value):  # not the other ISO forms Python reads (20261204, 2026-W05)
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    found = FRENCH_DATE.fullmatch(value)
    if found is None:
        return None
    day, month, year = (int(g) for g in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_decimal(text: str) -> float | None:
    """A number written with a decimal point or a decimal comma, or None."""
    value = text.strip().replace("\u202f", "").replace("\xa0", "")
    if not DECIMAL.fullmatch(value):
        return None
    return float(value.replace(",", "."))


def plain_name(text: str) -> str:
    """Lower case, no accents, hyphens for spaces: ``Sage femme`` -> ``sage-femme``."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s_-]+", "-", bare)

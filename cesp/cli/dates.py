"""Dates given on the command line, in a module of their own: the short start-up path of
``cesp check-bulk`` (``cesp.cli.bulk_entry``) reads them without importing typer."""

from __future__ import annotations

from datetime import date

from cesp.conventions import parse_day
from cesp.errors import InvalidInputError


def parse_date(value: str | None, field: str = "date") -> date | None:
    """Parse ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (``cesp.conventions``) or raise an error
    naming ``field``."""
    if value is None:
        return None
    parsed = parse_day(value)
    if parsed is None:
        raise InvalidInputError(
            f"--{field.replace('_', '-')} {value!r} is not a date: use YYYY-MM-DD or DD/MM/YYYY",
            message_fr=(
                f"--{field.replace('_', '-')} : « {value} » n'est pas une date : utilisez "
                "JJ/MM/AAAA ou AAAA-MM-JJ."
            ),
            field=field,
        )
    return parsed

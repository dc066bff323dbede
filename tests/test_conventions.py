"""French conventions in inputs: dates, decimal commas, profession names."""

from __future__ import annotations

from datetime import date

import pytest

from cesp.cli.options import parse_date
from cesp.conventions import parse_day, parse_decimal, plain_name
from cesp.errors import InvalidInputError
from cesp.zones.professions import Profession, parse_profession


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-11-15", date(2026, 11, 15)),
        ("15/11/2026", date(2026, 11, 15)),
        ("03/04/2026", date(2026, 4, 3)),  # day first, always
        ("3.4.2026", date(2026, 4, 3)),
        ("31/02/2026", None),
        ("11/15/2026", None),
        ("demain", None),
        ("9999-12-31", date.max),
        # Other ISO 8601 forms Python's fromisoformat reads, and non-ASCII digits: refused,
        # as the messages say (YYYY-MM-DD or DD/MM/YYYY).
        ("20261204", None),
        ("2026-W05", None),
        ("2026-W05-1", None),
        ("2026-12-04T10:00", None),
        ("٢٠٢٦-01-01", None),
        ("01/02/٢٠٢٦", None),
    ],
)
def test_dates_iso_or_day_first(text: str, day: date | None):
    assert parse_day(text) == day


@pytest.mark.parametrize(
    ("text", "value"), [("2,44", 2.44), ("-1.5", -1.5), (" 48,9 ", 48.9), ("1 234,5", None)]
)
def test_decimal_comma_or_point(text: str, value: float | None):
    assert parse_decimal(text) == value


@pytest.mark.parametrize("name", ["médecin", "Médecin", "MEDECIN", " medecin "])
def test_profession_names_ignore_case_and_accents(name: str):
    assert parse_profession(name) is Profession.MEDECIN
    assert parse_profession("Sage femme") is Profession.SAGE_FEMME
    assert plain_name("Chirurgien dentiste") == "chirurgien-dentiste"


def test_unknown_profession_says_why_and_the_choices_in_french_too():
    with pytest.raises(InvalidInputError) as caught:
        parse_profession("plombier")
    assert "medecin" in caught.value.message_fr and "plombier" in caught.value.message_fr


def test_cli_dates_take_the_french_spelling_and_say_both_when_wrong():
    assert parse_date("15/11/2026") == date(2026, 11, 15)
    with pytest.raises(InvalidInputError) as caught:
        parse_date("15-13-2026", "effective_from")
    assert "JJ/MM/AAAA" in caught.value.message_fr and "DD/MM/YYYY" in caught.value.message

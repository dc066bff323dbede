"""The cells of a bulk file (``cesp.eligibility.bulk_rows``) mean what they mean to a
single check: the same dates, professions and refusals as ``cesp.conventions``."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from cesp.conventions import parse_day
from cesp.eligibility.bulk_rows import ROW_ERRORS, coordinates, parse_rows

DEFAULT = date(2026, 6, 1)


def _table(**columns: list[str]) -> pa.Table:
    n = len(next(iter(columns.values())))
    base = {"id": [str(i) for i in range(n)], "lon": ["2.35"] * n, "lat": ["48.85"] * n}
    return pa.table({k: pa.array(v, pa.string()) for k, v in (base | columns).items()})


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["1.5", "-2.25", "+.5", "1e3", "7."], [1.5, -2.25, 0.5, 1000.0, 7.0]),  # Arrow parses
        (["1.5", "2,5", " 3 ", "nan", "inf", "", "0x10"], [1.5, 2.5, 3.0, None, None, None, None]),
    ],
)
def test_coordinates_read_the_same_with_or_without_the_direct_parse(cells, expected):
    """A column of plain decimals is parsed by Arrow at once, any other by the pattern:
    both give a decimal comma's value and NaN for what is not a finite decimal."""
    values = coordinates(pa.chunked_array([pa.array(cells, pa.string())]))
    assert [None if v != v else v for v in values.tolist()] == expected


DATES = [
    "2026-01-05",
    "05/01/2026",
    " 5/1/2026 ",  # trimmed, one-digit day and month
    "05.01.2026",
    "05-01-2026",
    "29/02/2024",  # a leap day
    "29/02/2025",  # not one: Arrow would read 1 March
    "31/02/2026",  # Arrow would read 3 March
    "2026-02-31",
    "01/02/26",  # a two-digit year: Arrow would read the year 26
    "2026-1-5",
    "2026-13-01",
    "32/01/2026",
    "demain",
    "",  # blank: the default date
]


def test_dates_are_those_of_a_single_check():
    _, _, on, _, error = parse_rows(_table(date=DATES), DEFAULT, "medecin")
    for cell, ordinal, code in zip(DATES, on.tolist(), error.tolist(), strict=True):
        day = parse_day(cell)
        if not cell.strip():
            assert (ordinal, code) == (DEFAULT.toordinal(), 0), cell
        elif day is None:
            assert ROW_ERRORS[code].startswith("date:"), cell
        else:
            assert (date.fromordinal(ordinal), code) == (day, 0), cell
    refused = {c for c, code in zip(DATES, error.tolist(), strict=True) if code}
    assert {"29/02/2025", "31/02/2026", "2026-02-31", "01/02/26"} <= refused
    assert "29/02/2024" not in refused and "05.01.2026" not in refused


def test_professions_fold_as_a_single_check_and_unknown_ones_are_refused():
    cells = ["Médecin", " sage femme ", "CHIRURGIEN_DENTISTE", "pharmacien", "plombier", ""]
    _, _, _, profession, error = parse_rows(_table(profession=cells), DEFAULT, "medecin")
    assert profession.tolist() == [
        "medecin",
        "sage-femme",
        "chirurgien-dentiste",
        "pharmacien",
        "medecin",  # refused: the default stays, the row is invalid
        "medecin",  # blank: the default
    ]
    assert [ROW_ERRORS[c] for c in error.tolist()] == ["", "", "", "", "profession: unknown", ""]


def test_the_first_fault_of_a_row_is_the_one_reported():
    table = _table(date=["31/02/2026", "2026-01-01"], profession=["plombier", "plombier"])
    table = table.set_column(1, "lon", pa.array(["x", "2.35"]))
    _, _, _, _, error = parse_rows(table, DEFAULT, "medecin")
    assert [ROW_ERRORS[c] for c in error.tolist()] == [
        "lon/lat: not a number",
        "profession: unknown",
    ]

"""The cells of a bulk file read as a single check reads them: coordinates, dates,
professions, and what is wrong with a row.

A bulk row must mean what the same values mean to ``GET /api/v1/eligibility`` or
``cesp check``: a date is what ``cesp.conventions.parse_day`` reads (``YYYY-MM-DD``
or ``DD/MM/YYYY``, a real calendar day), a profession what
``cesp.zones.professions.parse_profession`` reads. Both rules are applied once per
distinct cell, not rewritten as Arrow kernels: a file holds a few dates and
professions repeated over its rows, and Arrow's ``strptime`` reads ``31/02/2026`` as
3 March and ``01/02/26`` as the year 26, where the single check refuses both.
Coordinates are the exception: every cell is distinct, so they are parsed by Arrow
(see ``coordinates``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cesp.conventions import parse_day
from cesp.errors import InvalidInputError
from cesp.zones.professions import parse_profession

DECIMAL = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
# What the ``error`` column says of a row the check could not read ('' when it could).
ROW_ERRORS = (
    "",
    "lon/lat: not a number",
    "lon/lat: out of range (WGS84 degrees expected)",
    "date: expected YYYY-MM-DD or DD/MM/YYYY",
    "profession: unknown",
)
T = TypeVar("T")


def coordinates(column: pa.ChunkedArray) -> np.ndarray:
    """Floats of a text column, NaN where a cell is not a decimal number; a decimal comma
    (``2,44``, as a French ``;`` file writes it) reads as a point (``cesp.conventions``).

    Most files hold plain decimals only: Arrow's own parse of the column takes them
    all at once. It refuses every text the pattern refuses except the non-finite
    spellings (``nan``, ``inf``), and accepts none that needs trimming or a comma, so
    when it succeeds with finite values only, its values are the pattern path's."""
    try:
        direct = np.asarray(pc.cast(column, pa.float64()).to_numpy(), dtype=float)
    except pa.ArrowInvalid:
        direct = None
    if direct is not None and np.isfinite(direct).all():
        return direct
    text = pc.replace_substring(pc.utf8_trim_whitespace(column), ",", ".")
    valid = pc.match_substring_regex(text, DECIMAL)
    values = pc.cast(pc.if_else(valid, text, pa.scalar("nan")), pa.float64())
    return np.asarray(values.to_numpy(), dtype=float)


def texts(n: int, value: str) -> np.ndarray:
    """An object array of ``n`` references to one string.

    ``np.full(n, value, dtype=object)`` makes a new string per element through a NumPy
    text scalar, with the GIL held: 2 ms for a slice, 15 times longer than this."""
    array = np.empty(n, dtype=object)
    array[:] = value
    return array


def by_distinct(
    column: pa.ChunkedArray, read: Callable[[str], T]
) -> tuple[list[T], np.ndarray, np.ndarray]:
    """``read`` applied once to each distinct trimmed cell of ``column``: the results,
    the position of each row's cell among them, and which rows are not blank."""
    text = pc.utf8_trim_whitespace(column)
    distinct = pc.unique(text)
    results = [read(str(cell)) for cell in distinct.to_pylist()]
    position = np.asarray(pc.index_in(text, value_set=distinct).to_numpy(), dtype=np.int64)
    given = np.asarray(pc.not_equal(text, "").to_numpy(zero_copy_only=False), dtype=bool)
    return results, position, given


def _profession(cell: str) -> str | None:
    """The profession a cell names (``parse_profession``'s rule), None for none."""
    try:
        return parse_profession(cell).value
    except InvalidInputError:
        return None


def parse_rows(
    table: pa.Table, default_date: date, default_profession: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Coordinates, date ordinals, professions and per-row errors (positions in
    ``ROW_ERRORS``, 0 when fine: the column is then taken from that table by Arrow,
    without building one Python string per row). A blank date or profession cell takes
    the default."""
    n = table.num_rows
    error = np.zeros(n, dtype=np.int8)
    lon, lat = coordinates(table["lon"]), coordinates(table["lat"])
    bad = np.isnan(lon) | np.isnan(lat)
    error[bad] = ROW_ERRORS.index("lon/lat: not a number")
    out_of_range = ~bad & ((np.abs(lon) > 180) | (np.abs(lat) > 90))
    error[out_of_range] = ROW_ERRORS.index("lon/lat: out of range (WGS84 degrees expected)")
    on = np.full(n, default_date.toordinal(), dtype=np.int64)
    if "date" in table.column_names:
        days, position, given = by_distinct(table["date"], parse_day)
        ordinals = np.array([d.toordinal() if d else -1 for d in days], dtype=np.int64)
        found = ordinals[position]
        ok = found >= 0
        error[given & ~ok & (error == 0)] = ROW_ERRORS.index(
            "date: expected YYYY-MM-DD or DD/MM/YYYY"
        )
        on[given & ok] = found[given & ok]
    profession = texts(n, default_profession)
    if "profession" in table.column_names:
        # Case, accents and spaces do not matter (cesp.conventions.plain_name): Médecin.
        names, position, given = by_distinct(table["profession"], _profession)
        known = given & np.array([name is not None for name in names], dtype=bool)[position]
        profession[known] = np.array(names, dtype=object)[position[known]]
        error[given & ~known & (error == 0)] = ROW_ERRORS.index("profession: unknown")
    return lon, lat, on, profession, error

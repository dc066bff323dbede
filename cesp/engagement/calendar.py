"""Whole months between dates, as the CESP texts count them.

The arrêté du 24 juin 2011 as amended (art. 1er-1, version in force from 28 March 2012)
charges "200 euros par mois écoulé depuis la signature du contrat": a month counts once
it has fully elapsed, so a partial month is not charged. Engagements end a whole number of
months after they begin.
"""

from __future__ import annotations

import calendar
from datetime import date


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def months_elapsed(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (``end`` on or after ``start``).

    A month is complete when ``end`` reaches the day of the month of ``start``, or the
    last day of a shorter month (31 January to 28 February is one month).

    Examples
    --------
    >>> months_elapsed(date(2010, 11, 1), date(2012, 3, 28))
    16
    >>> months_elapsed(date(2011, 1, 31), date(2011, 2, 28))
    1
    >>> months_elapsed(date(2011, 1, 31), date(2011, 2, 27))
    0
    """
    if end < start:
        raise ValueError(f"{end.isoformat()} is before {start.isoformat()}")
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day and end.day != _last_day(end.year, end.month):
        months -= 1
    return months


def add_months(start: date, months: int) -> date:
    """``start`` moved ``months`` months on, the day clamped to the end of a shorter month.

    >>> add_months(date(2020, 1, 31), 1)
    datetime.date(2020, 2, 29)
    """
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, _last_day(year, month)))

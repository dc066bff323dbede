from datetime import date

import pytest

from cesp.engagement.calendar import add_months, months_elapsed


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2010, 11, 1), date(2012, 3, 28), 16),
        (date(2012, 9, 15), date(2013, 9, 14), 11),
        (date(2012, 9, 15), date(2013, 9, 15), 12),
        (date(2011, 1, 31), date(2011, 2, 28), 1),
        (date(2011, 1, 31), date(2011, 2, 27), 0),
        (date(2012, 1, 31), date(2012, 2, 29), 1),
        (date(2015, 5, 5), date(2015, 5, 5), 0),
    ],
)
def test_whole_months_elapsed(start: date, end: date, months: int) -> None:
    assert months_elapsed(start, end) == months


def test_months_elapsed_refuses_an_end_before_the_start() -> None:
    with pytest.raises(ValueError):
        months_elapsed(date(2015, 5, 5), date(2015, 5, 4))


def test_add_months_clamps_to_the_end_of_a_shorter_month_and_crosses_years() -> None:
    assert add_months(date(2020, 1, 31), 1) == date(2020, 2, 29)
    assert add_months(date(2018, 11, 1), 40) == date(2022, 3, 1)
    assert add_months(date(2018, 11, 15), 0) == date(2018, 11, 15)

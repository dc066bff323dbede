"""Décret n°2026-4 (requests from 16 January 2026): deferral, combining, part-time."""

from datetime import date

import pytest

from cesp.engagement.decree_2026 import (
    part_time_note_fr,
    served_months_part_time,
    time_fraction,
)
from cesp.engagement.rules import EngagementTerms
from cesp.errors import InvalidInputError


def test_a_deferral_over_one_year_is_refused_for_requests_from_16_january_2026() -> None:
    EngagementTerms(
        signed_on=date(2026, 1, 20),
        months_paid=0,
        requested_on=date(2026, 1, 15),
        deferral_months=13,
    )
    with pytest.raises(InvalidInputError) as error:
        EngagementTerms(
            signed_on=date(2026, 1, 20),
            months_paid=0,
            requested_on=date(2026, 1, 16),
            deferral_months=13,
        )
    assert error.value.field == "deferral_months" and "un an" in error.value.message_fr


def test_combining_with_a_similar_contract_is_refused_from_16_january_2026() -> None:
    EngagementTerms(
        signed_on=date(2026, 1, 20),
        months_paid=0,
        requested_on=date(2026, 1, 15),
        other_contract=True,
    )
    with pytest.raises(InvalidInputError) as error:
        EngagementTerms(
            signed_on=date(2026, 1, 20),
            months_paid=0,
            requested_on=date(2026, 1, 16),
            other_contract=True,
        )
    assert error.value.field == "other_contract"


def test_half_time_counts_half_and_less_than_half_time_is_refused_from_2026() -> None:
    assert served_months_part_time(12, 0.5, date(2026, 1, 16)) == 6
    assert served_months_part_time(12, 0.4, date(2026, 1, 15)) == pytest.approx(4.8)
    with pytest.raises(InvalidInputError) as error:
        served_months_part_time(12, 0.4, date(2026, 1, 16))
    assert error.value.field == "time_fraction"


def test_full_time_is_35_hours_salaried_or_8_half_days_liberal() -> None:
    assert time_fraction(hours_per_week=17.5) == 0.5
    assert time_fraction(half_days_per_week=4) == 0.5
    assert time_fraction(hours_per_week=40) == 1.0


def test_part_time_before_the_decree_is_counted_pro_rata_with_a_note() -> None:
    assert part_time_note_fr(date(2026, 1, 15)) is not None
    assert part_time_note_fr(date(2026, 1, 16)) is None

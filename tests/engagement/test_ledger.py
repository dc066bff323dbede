"""The follow-up computed from a ledger, on months written out by hand (no database):
the engine's answers are given as lists, one per month asked."""

from datetime import date

from cesp.engagement.ledger import Event, Period, follow_up, history_months

SITE = {"mode": "liberal", "lon": 2.44, "lat": 48.91}


def _period(starts: date, ends: date | None = None, fraction: float = 1.0) -> Period:
    return Period(1, starts, ends, time_fraction=fraction, **SITE)  # type: ignore[arg-type]


def _answers(period: Period, on: date, in_zone_until: date | None = None) -> dict[int, list[bool]]:
    return {
        period.id: [in_zone_until is None or d < in_zone_until for d in history_months(period, on)]
    }


def test_full_time_in_a_qualifying_zone_counts_every_month_and_gives_the_end() -> None:
    period = _period(date(2020, 1, 1))
    result = follow_up(40, [period], [], _answers(period, date(2021, 12, 15)), date(2021, 12, 15))
    assert result.status == "practising"
    assert result.months_served == 24 and result.months_left == 16
    assert result.expected_end == date(2023, 4, 15)


def test_half_time_lengthens_the_engagement_pro_rata() -> None:
    period = _period(date(2026, 2, 1), fraction=0.5)
    result = follow_up(24, [period], [], _answers(period, date(2027, 1, 15)), date(2027, 1, 15))
    assert result.months_served == 6 and result.months_left == 18
    assert result.expected_end == date(2030, 1, 15)
    assert "temps-partiel-prorata" in result.rules


def test_a_fulfilled_engagement_is_fulfilled() -> None:
    period = _period(date(2018, 11, 1))
    result = follow_up(40, [period], [], _answers(period, date(2022, 8, 1)), date(2022, 8, 1))
    assert result.status == "fulfilled" and result.months_left == 0
    assert "l632-6-engagement-accompli" in result.rules


def test_a_zone_unchanged_for_three_years_that_stops_qualifying_releases_the_doctor() -> None:
    period = _period(date(2016, 1, 1))
    on = date(2021, 1, 1)
    result = follow_up(60, [period], [], _answers(period, on, date(2020, 9, 1)), on)
    assert result.status == "released" and result.zone_lost_on == date(2020, 9, 1)
    assert "r631-24-17-perte-de-zone" in result.rules


def test_a_site_out_of_zone_without_release_is_in_default() -> None:
    period = _period(date(2016, 1, 1))
    answers = {period.id: [False] * len(history_months(period, date(2017, 1, 1)))}
    result = follow_up(40, [period], [], answers, date(2017, 1, 1))
    assert result.status == "in_default" and result.months_served == 0


def test_no_practice_before_the_diploma_is_studying_and_after_it_is_in_default() -> None:
    assert follow_up(30, [], [], {}, date(2020, 1, 1)).status == "studying"
    late = follow_up(30, [], [], {}, date(2020, 1, 1), practising_from=date(2019, 11, 1))
    assert late.status == "in_default"


def test_a_suspension_to_come_pushes_the_expected_end_back() -> None:
    period = _period(date(2020, 1, 1))
    on = date(2021, 1, 1)
    suspension = Event(1, "suspension", date(2021, 6, 1), 6)
    plain = follow_up(40, [period], [], _answers(period, on), on)
    pushed = follow_up(40, [period], [suspension], _answers(period, on), on)
    assert plain.months_served == 13 and plain.expected_end == date(2023, 4, 1)
    assert pushed.expected_end == date(2023, 10, 1)
    assert pushed.suspended_months == 6


def test_a_zone_lost_under_the_2013_rule_waives_only_the_penalty_as_the_rupture_says() -> None:
    # Décret n°2010-735 art. 5 (décret n°2013-734): no penalty, but the allowances are
    # still repaid. The ledger must not say "released, nothing left" while the rupture
    # rules charge the allowances.
    from decimal import Decimal

    from cesp.engagement.rules import EngagementTerms, assess_rupture

    period = _period(date(2015, 1, 1))
    on = date(2018, 1, 1)
    result = follow_up(48, [period], [], _answers(period, on, date(2017, 1, 1)), on)
    assert result.status != "released" and result.months_left == 24
    assert "decret-2010-735-art5-v2013-perte-de-zone" in result.rules
    assert any("allocations perçues resteraient à rembourser" in n for n in result.notes_fr)
    terms = EngagementTerms(
        signed_on=date(2009, 10, 1),
        months_paid=48,
        practice_started_on=date(2015, 1, 1),
        net_monthly_eur=Decimal("1100"),
    )
    rupture = assess_rupture(terms, on, zone_since=date(2012, 5, 24), zone_lost_on=date(2017, 1, 1))
    assert rupture.release_key == "decret-2010-735-art5-v2013-perte-de-zone"
    assert rupture.penalty_eur == 0 and rupture.allowances_due_eur

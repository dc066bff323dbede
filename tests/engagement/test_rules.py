"""CESP contract rules, on worked examples for each period of the law.

Periods of the penalty (by rupture date): the initial arrêté du 24 juin 2011 (from
2011-07-02, 20 000 € lump sum), art. 1er-1 from 2012-03-28 (200 € per month since the
signature), from 2013-11-08 (200 € per month of allowance received), and the arrêté du
26 mai 2020 from 2020-05-29 (the same amounts). At least 2 000 € before the DES,
20 000 € after it, nothing on death or total incapacity.
"""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from cesp.engagement.rules import (
    EngagementTerms,
    PenaltyBasis,
    RuptureCause,
    assess_rupture,
    parse_cause,
)
from cesp.engagement.status import assess_engagement
from cesp.errors import InvalidInputError
from cesp.zones.professions import Profession


def _terms(signed: date, months_paid: int, **kwargs: Any) -> EngagementTerms:
    return EngagementTerms(signed_on=signed, months_paid=months_paid, **kwargs)


# --- before 2011-07-02: no text in the seeds ------------------------------------------


def test_rupture_before_the_2011_arrete_came_into_force_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInputError) as error:
        assess_rupture(_terms(date(2010, 11, 1), 8), date(2011, 7, 1))
    assert error.value.field == "rupture"
    assert "02/07/2011" in error.value.message_fr


def test_death_before_the_2011_arrete_still_owes_nothing() -> None:
    result = assess_rupture(
        _terms(date(2010, 11, 1), 4, net_monthly_eur=Decimal("1000")),
        date(2011, 3, 1),
        cause=RuptureCause.DECES,
    )
    assert result.penalty_eur == 0 and result.total_due_eur == Decimal("0")


# --- 2011-07-02 .. 2012-03-27: arrêté du 24 juin 2011, initial art. 1er -----------------


def test_rupture_in_2011_before_des_owes_the_20000_lump_sum_plus_allowances() -> None:
    terms = _terms(date(2010, 11, 1), 15, net_monthly_eur=Decimal("1000"))
    result = assess_rupture(terms, date(2012, 1, 15))
    assert result.penalty_eur == 20_000
    assert result.basis is PenaltyBasis.LUMP_SUM and result.penalty_months is None
    assert result.allowances_due_eur == Decimal("15000.00")
    assert result.total_due_eur == Decimal("35000.00")
    assert result.rule_key == "arrete-2011-art1-initial"
    assert "arrêté du 24 juin 2011" in result.rule and "version initiale" in result.rule_fr


def test_first_day_of_the_2011_arrete_and_its_last_day_both_owe_20000() -> None:
    terms = _terms(date(2010, 11, 1), 8)
    assert assess_rupture(terms, date(2011, 7, 2)).penalty_eur == 20_000
    assert assess_rupture(terms, date(2012, 3, 27)).penalty_eur == 20_000


def test_rupture_in_2011_after_des_owes_20000_too() -> None:
    result = assess_rupture(_terms(date(2010, 11, 1), 10), date(2011, 9, 1), after_des=True)
    assert result.penalty_eur == 20_000 and result.after_des


# --- 2012-03-28 .. 2013-11-07: 200 € per month elapsed since the signature ------------


def test_on_2012_03_28_the_penalty_counts_months_since_signature_not_months_paid() -> None:
    # Signed 1 Nov 2010; allowance paid from the start of the academic year: 17 months.
    terms = _terms(date(2010, 11, 1), 17, net_monthly_eur=Decimal("1000"))
    day_before = assess_rupture(terms, date(2012, 3, 27))
    first_day = assess_rupture(terms, date(2012, 3, 28))
    assert day_before.penalty_eur == 20_000
    assert first_day.rule_key == "arrete-2011-art1-1-v2012"
    assert first_day.basis is PenaltyBasis.MONTHS_SINCE_SIGNATURE
    assert first_day.penalty_months == 16 and first_day.penalty_eur == 3_200
    assert first_day.total_due_eur == Decimal("20200.00")
    assert "200 € × 16 mois écoulés depuis la signature du 01/11/2010" in first_day.explanation_fr


def test_a_month_not_yet_elapsed_is_not_charged() -> None:
    terms = _terms(date(2012, 9, 15), 12)
    assert assess_rupture(terms, date(2013, 9, 14)).penalty_eur == 11 * 200
    assert assess_rupture(terms, date(2013, 9, 15)).penalty_eur == 12 * 200


def test_months_of_suspension_still_count_as_elapsed_in_2012_2013() -> None:
    # 24 months since signature, of which 12 suspended without allowance.
    result = assess_rupture(_terms(date(2011, 10, 1), 12), date(2013, 10, 1))
    assert result.penalty_months == 24 and result.penalty_eur == 4_800


def test_idf_slide_minimum_of_20000_is_a_mistake_minimum_is_2000_before_des() -> None:
    # Seed document 004 (ARS Île-de-France): "200 euros par mois écoulé depuis la
    # signature du contrat avec un seuil minimal de 20000". The arrêté du 24 juin 2011 as
    # amended, art. 1er-1, 1°: "Il ne peut être inférieur à 2 000 euros".
    result = assess_rupture(_terms(date(2012, 11, 1), 6), date(2013, 5, 1))
    assert result.penalty_months == 6
    assert result.floor_applied
    assert result.penalty_eur == 2_000
    assert "portée au minimum de 2 000 €" in result.explanation_fr


def test_after_des_in_2013_the_penalty_is_20000_whatever_the_months() -> None:
    result = assess_rupture(_terms(date(2010, 11, 1), 30), date(2013, 6, 1), after_des=True)
    assert result.penalty_eur == 20_000 and result.penalty_months is None
    assert "après le DES" in result.explanation_fr


# --- the change of basis on 2013-11-08 ------------------------------------------------


def test_on_2013_11_07_months_since_signature_on_2013_11_08_months_of_allowance() -> None:
    # Signed 1 Oct 2012, 13 months elapsed by November 2013, 9 of them paid.
    terms = _terms(date(2012, 10, 1), 9)
    last_day = assess_rupture(terms, date(2013, 11, 7))
    first_day = assess_rupture(terms, date(2013, 11, 8))
    assert (last_day.penalty_months, last_day.penalty_eur) == (13, 2_600)
    assert last_day.rule_key == "arrete-2011-art1-1-v2012"
    assert first_day.rule_key == "arrete-2011-art1-1-v2013"
    assert first_day.basis is PenaltyBasis.MONTHS_OF_ALLOWANCE
    assert first_day.penalty_months == 9
    assert first_day.floor_applied and first_day.penalty_eur == 2_000


# --- 2013-11-08 .. 2020-05-28: 200 € per month of allowance received -----------------


def test_rupture_in_2017_before_des_owes_200_per_month_of_allowance_plus_allowances() -> None:
    terms = _terms(date(2014, 10, 1), 30, net_monthly_eur=Decimal("1034.50"))
    result = assess_rupture(terms, date(2017, 4, 1))
    assert result.months_since_signature == 30 and result.penalty_months == 30
    assert result.penalty_eur == 6_000
    assert result.allowances_due_eur == Decimal("31035.00")
    assert result.total_due_eur == Decimal("37035.00")
    assert "1 034,50 €" in result.explanation_fr and "37 035,00 €" in result.explanation_fr


def test_minimum_of_2000_when_few_months_of_allowance() -> None:
    result = assess_rupture(_terms(date(2014, 10, 1), 4), date(2015, 2, 1))
    assert result.penalty_months == 4 and result.penalty_eur == 2_000 and result.floor_applied


def test_after_des_in_2018_owes_20000_plus_every_net_allowance() -> None:
    terms = _terms(date(2012, 10, 1), 72, net_monthly_eur=Decimal("1000"))
    result = assess_rupture(terms, date(2018, 12, 1), after_des=True)
    assert result.penalty_eur == 20_000
    assert result.total_due_eur == Decimal("92000.00")


def test_without_the_net_monthly_amount_the_total_is_unknown_and_said_so() -> None:
    result = assess_rupture(_terms(date(2014, 10, 1), 30), date(2017, 4, 1))
    assert result.penalty_eur == 6_000
    assert result.allowances_due_eur is None and result.total_due_eur is None
    assert any("inconnue" in note for note in result.notes_fr)


# --- from 2020-05-29: arrêté du 26 mai 2020 -------------------------------------------


def test_from_2020_05_29_the_arrete_of_26_may_2020_applies_with_the_same_amounts() -> None:
    terms = _terms(date(2016, 10, 1), 40)
    before = assess_rupture(terms, date(2020, 5, 28))
    after = assess_rupture(terms, date(2020, 5, 29))
    assert before.rule_key == "arrete-2011-art1-1-v2013"
    assert after.rule_key == "arrete-2020-art1" and "26 mai 2020" in after.rule_fr
    assert before.penalty_eur == after.penalty_eur == 8_000


def test_rupture_in_2024_after_des_owes_20000() -> None:
    result = assess_rupture(_terms(date(2017, 10, 1), 60), date(2024, 1, 10), after_des=True)
    assert result.penalty_eur == 20_000 and result.rule_key == "arrete-2020-art1"


def test_des_date_in_the_terms_decides_before_or_after() -> None:
    terms = _terms(date(2017, 10, 1), 60, des_obtained_on=date(2022, 10, 31))
    assert assess_rupture(terms, date(2022, 10, 30)).penalty_eur == 60 * 200
    assert assess_rupture(terms, date(2022, 10, 31)).penalty_eur == 20_000


# --- causes ---------------------------------------------------------------------------


@pytest.mark.parametrize("cause", [RuptureCause.DECES, RuptureCause.INCAPACITE])
def test_death_or_total_incapacity_owes_nothing_not_even_the_allowances(
    cause: RuptureCause,
) -> None:
    terms = _terms(date(2014, 10, 1), 50, net_monthly_eur=Decimal("1000"))
    result = assess_rupture(terms, date(2019, 1, 1), cause=cause, after_des=True)
    assert result.penalty_eur == 0
    assert result.allowances_due_eur == Decimal("0") and result.total_due_eur == Decimal("0")
    assert result.basis is PenaltyBasis.NOTHING_DUE
    assert "2010-735" in result.rule and "rien n'est dû" in result.explanation_fr


@pytest.mark.parametrize(
    "cause",
    [RuptureCause.DEMISSION, RuptureCause.RADIATION, RuptureCause.CHANGEMENT_NON_AUTORISE],
)
def test_resignation_striking_off_and_unauthorised_move_owe_the_full_sum(
    cause: RuptureCause,
) -> None:
    result = assess_rupture(_terms(date(2014, 10, 1), 30), date(2017, 4, 1), cause=cause)
    assert result.penalty_eur == 6_000 and result.cause is cause


def test_unknown_cause_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInputError) as error:
        parse_cause("abandon")
    assert error.value.field == "cause"
    assert parse_cause(" Changement-Non-Autorise ") is RuptureCause.CHANGEMENT_NON_AUTORISE


# --- engagement length ----------------------------------------------------------------


def test_engagement_is_at_least_two_years() -> None:
    short = _terms(date(2020, 10, 1), 10)
    assert short.engagement_months == 24 and short.minimum_applied
    exact = _terms(date(2020, 10, 1), 24)
    assert exact.engagement_months == 24 and not exact.minimum_applied


def test_engagement_lasts_as_long_as_the_allowance_was_paid() -> None:
    terms = _terms(date(2012, 10, 1), 57)
    assert terms.engagement_months == 57 and not terms.minimum_applied


def test_status_counts_service_done_and_left_and_prices_a_resignation_today() -> None:
    terms = _terms(
        date(2014, 10, 1),
        40,
        des_obtained_on=date(2018, 10, 15),
        practice_started_on=date(2018, 11, 1),
    )
    status = assess_engagement(terms, date(2020, 1, 15))
    assert (status.months_served, status.months_remaining) == (14, 26)
    assert status.engagement_ends_on == date(2022, 3, 1) and not status.completed
    assert status.rupture_if_now is not None
    assert status.rupture_if_now.penalty_eur == 20_000 and status.rupture_if_now.after_des
    assert any("14 mois de service" in note for note in status.rupture_if_now.notes_fr)
    assert "26 restants" in status.explanation_fr


def test_deferral_and_suspension_are_not_service_and_push_the_end_back() -> None:
    terms = _terms(
        date(2014, 10, 1),
        40,
        practice_started_on=date(2018, 11, 1),
        deferral_months=6,
        suspended_months=2,
    )
    status = assess_engagement(terms, date(2020, 1, 15))
    assert status.engagement_months == 40
    assert (status.months_served, status.months_remaining) == (6, 34)
    assert status.engagement_ends_on == date(2022, 11, 1)


def test_fulfilled_engagement_has_nothing_left_to_break() -> None:
    terms = _terms(date(2014, 10, 1), 10, practice_started_on=date(2019, 11, 1))
    status = assess_engagement(terms, date(2021, 11, 1))
    assert status.engagement_months == 24 and status.months_remaining == 0
    assert status.completed and status.rupture_if_now is None
    assert "Engagement accompli" in status.explanation_fr


def test_status_before_practice_prices_a_resignation_before_des() -> None:
    status = assess_engagement(_terms(date(2016, 10, 1), 30), date(2019, 4, 1))
    assert status.months_served is None and status.engagement_ends_on is None
    assert status.rupture_if_now is not None and status.rupture_if_now.penalty_eur == 6_000
    rupture = status.as_dict()["rupture_if_now"]
    assert isinstance(rupture, dict) and rupture["penalty_eur"] == 6_000


def test_status_on_a_date_before_signature_is_refused() -> None:
    with pytest.raises(InvalidInputError) as error:
        assess_engagement(_terms(date(2016, 10, 1), 30), date(2016, 9, 30))
    assert error.value.field == "date"


# --- professions ----------------------------------------------------------------------


def test_midwife_contract_requested_before_2026_01_16_is_refused() -> None:
    with pytest.raises(InvalidInputError) as error:
        _terms(
            date(2026, 2, 1),
            3,
            profession=Profession.SAGE_FEMME,
            requested_on=date(2026, 1, 15),
        )
    assert error.value.field == "profession"


def test_pharmacist_contract_from_2026_is_priced_with_a_note() -> None:
    terms = _terms(
        date(2026, 2, 1), 13, profession=Profession.PHARMACIEN, requested_on=date(2026, 1, 16)
    )
    result = assess_rupture(terms, date(2027, 3, 1))
    assert result.penalty_eur == 2_600
    assert any("2026-4" in note for note in result.notes_fr)


def test_dentist_rupture_in_2019_is_priced_by_the_arrete_of_29_october_2013() -> None:
    terms = _terms(date(2015, 10, 1), 20, profession=Profession.CHIRURGIEN_DENTISTE)
    result = assess_rupture(terms, date(2019, 1, 1))
    assert result.rule_key == "arrete-2013-10-29-odontologie"
    assert result.penalty_eur == 4_000
    assert assess_rupture(terms, date(2020, 6, 1)).rule_key == "arrete-2020-art1"


def test_profession_read_from_a_database_column_as_text_is_accepted() -> None:
    terms = _terms(date(2021, 10, 1), 30, profession="chirurgien-dentiste")
    assert terms.profession is Profession.CHIRURGIEN_DENTISTE
    with pytest.raises(InvalidInputError) as error:
        _terms(date(2021, 10, 1), 30, profession="kine")
    assert error.value.field == "profession"


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"months_paid": -1}, "months_paid"),
        ({"months_paid": 5, "suspended_months": -2}, "suspended_months"),
        ({"months_paid": 5, "deferral_months": -1}, "deferral_months"),
        ({"months_paid": 5, "net_monthly_eur": Decimal("-1")}, "net_monthly"),
        ({"months_paid": 5, "des_obtained_on": date(2014, 1, 1)}, "des_obtained_on"),
        ({"months_paid": 5, "practice_started_on": date(2014, 1, 1)}, "practice_started_on"),
        ({"months_paid": 5, "requested_on": date(2016, 1, 1)}, "requested_on"),
    ],
)
def test_inconsistent_terms_are_refused_naming_the_field(
    kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInputError) as error:
        EngagementTerms(signed_on=date(2015, 10, 1), **kwargs)
    assert error.value.field == field


def test_rupture_before_signature_is_refused() -> None:
    with pytest.raises(InvalidInputError) as error:
        assess_rupture(_terms(date(2015, 10, 1), 5), date(2015, 9, 30))
    assert error.value.field == "rupture"

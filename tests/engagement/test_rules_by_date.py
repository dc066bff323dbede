"""The contract rules fixed after checking them against the texts, each on both sides of
the date that matters: fulfilled engagements, practice and the diploma, impossible
inputs, dentists, releases on zone loss, reduced sums once practising."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from cesp.engagement.rules import EngagementTerms, PenaltyBasis, assess_rupture
from cesp.engagement.status import assess_engagement
from cesp.errors import InvalidInputError
from cesp.zones.professions import Profession


def _terms(signed: date, months_paid: int, **kwargs: Any) -> EngagementTerms:
    return EngagementTerms(signed_on=signed, months_paid=months_paid, **kwargs)


# --- L.632-6: a fulfilled engagement ---------------------------------------------------


def test_a_fulfilled_engagement_owes_nothing() -> None:
    # Practising since 2018-11-01, 40 months owed, rupture on 2022-08-01 (45 months).
    terms = _terms(
        date(2014, 10, 1),
        40,
        practice_started_on=date(2018, 11, 1),
        net_monthly_eur=Decimal("1000"),
    )
    result = assess_rupture(terms, date(2022, 8, 1))
    assert result.penalty_eur == 0 and result.total_due_eur == Decimal("0")
    assert result.rule_key == "l632-6-engagement-accompli"
    assert "rien n'est dû" in result.explanation_fr


def test_one_month_short_of_the_engagement_still_owes_the_penalty() -> None:
    terms = _terms(date(2014, 10, 1), 40, practice_started_on=date(2018, 11, 1))
    assert assess_rupture(terms, date(2022, 2, 28)).penalty_eur == 20_000
    assert assess_rupture(terms, date(2022, 3, 1)).penalty_eur == 0


# --- practice starts at the diploma ----------------------------------------------------


def test_a_practice_start_means_the_rupture_is_after_the_diploma() -> None:
    terms = _terms(date(2014, 10, 1), 40, practice_started_on=date(2018, 11, 1))
    before = assess_rupture(terms, date(2018, 10, 31))
    after = assess_rupture(terms, date(2018, 11, 1))
    assert (before.after_des, before.penalty_eur) == (False, 8_000)
    assert (after.after_des, after.penalty_eur) == (True, 20_000)


def test_before_the_diploma_with_practice_begun_is_refused_naming_the_field() -> None:
    terms = _terms(date(2014, 10, 1), 40, practice_started_on=date(2018, 11, 1))
    with pytest.raises(InvalidInputError) as error:
        assess_rupture(terms, date(2020, 1, 15), after_des=False)
    assert error.value.field == "after_des"
    assert "commence au diplôme" in error.value.message_fr


def test_a_practice_start_before_the_diploma_is_refused() -> None:
    with pytest.raises(InvalidInputError) as error:
        _terms(
            date(2014, 10, 1),
            40,
            des_obtained_on=date(2018, 11, 15),
            practice_started_on=date(2018, 11, 1),
        )
    assert error.value.field == "practice_started_on"


def test_the_penalty_switches_at_the_des_in_every_version_not_the_doctorate() -> None:
    # Arrêté du 24 juin 2011 art. 1er-1 and arrêté du 26 mai 2020 art. 1er, II: « avant /
    # après l'obtention du diplôme d'études spécialisées » (the reviewer's case: signed
    # 2020-11-01, DES 2023-11-01, rupture 2024-03-01).
    terms = _terms(date(2010, 11, 1), 30, des_obtained_on=date(2013, 6, 1))
    assert assess_rupture(terms, date(2013, 11, 30)).diploma_fr == "DES"
    later = assess_rupture(terms, date(2013, 12, 1))
    assert later.diploma_fr == "DES" and "après le DES" in later.explanation_fr
    recent = _terms(date(2020, 11, 1), 40, des_obtained_on=date(2023, 11, 1))
    answer = assess_rupture(recent, date(2024, 3, 1))
    assert answer.after_des and answer.penalty_eur == 20_000
    assert "après le DES" in answer.explanation_fr
    assert "docteur" not in answer.explanation_fr


# --- impossible inputs -----------------------------------------------------------------


def test_thirty_months_of_allowance_ten_months_after_signing_is_refused() -> None:
    with pytest.raises(InvalidInputError) as error:
        assess_rupture(_terms(date(2020, 10, 1), 30), date(2021, 8, 1))
    assert error.value.field == "months_paid"
    assert "au plus 11" in error.value.message_fr and "at most 11" in error.value.message


def test_as_many_allowances_as_months_begun_since_signing_are_accepted() -> None:
    assert assess_rupture(_terms(date(2020, 10, 1), 11), date(2021, 8, 1)).penalty_eur == 2_200


def test_engagement_status_refuses_impossible_months_too() -> None:
    with pytest.raises(InvalidInputError) as error:
        assess_engagement(_terms(date(2020, 10, 1), 30), date(2021, 8, 1))
    assert error.value.field == "months_paid"


# --- dentists --------------------------------------------------------------------------


def test_a_dental_cesp_opens_with_decree_2013_735_on_16_august_2013() -> None:
    with pytest.raises(InvalidInputError) as error:
        _terms(date(2013, 8, 15), 0, profession=Profession.CHIRURGIEN_DENTISTE)
    assert error.value.field == "profession" and "2013-735" in error.value.message_fr
    assert _terms(date(2013, 8, 16), 0, profession=Profession.CHIRURGIEN_DENTISTE)


def test_dentists_are_priced_by_the_arrete_of_29_october_2013_from_8_november_2013() -> None:
    terms = _terms(date(2013, 9, 1), 2, profession=Profession.CHIRURGIEN_DENTISTE)
    gap = assess_rupture(terms, date(2013, 11, 7))
    priced = assess_rupture(terms, date(2013, 11, 8))
    assert gap.penalty_eur == 20_000 and gap.maximum
    assert any("Aucun texte trouvé" in note and "maximum" in note for note in gap.notes_fr)
    assert priced.rule_key == "arrete-2013-10-29-odontologie"
    assert (priced.penalty_eur, priced.floor_applied, priced.maximum) == (2_000, True, False)


# --- zone loss: décret 2010-735 art. 5 (2013-734), then R.631-24-17 -------------------


def test_a_zone_unchanged_for_three_years_that_stops_qualifying_waives_the_penalty_from_2013() -> (
    None
):
    terms = _terms(
        date(2010, 11, 1),
        30,
        practice_started_on=date(2013, 1, 1),
        net_monthly_eur=Decimal("1000"),
    )
    zone = {"zone_since": date(2010, 6, 1), "zone_lost_on": date(2013, 7, 1)}
    before = assess_rupture(terms, date(2013, 8, 15), **zone)
    after = assess_rupture(terms, date(2013, 8, 16), **zone)
    assert before.penalty_eur == 20_000 and before.release_key is None
    assert after.release_key == "decret-2010-735-art5-v2013-perte-de-zone"
    assert after.penalty_eur == 0 and after.allowances_due_eur == Decimal("30000.00")
    assert "aucune pénalité" in after.explanation_fr


def test_a_zone_unchanged_for_three_years_that_stops_qualifying_releases_the_doctor() -> None:
    terms = _terms(
        date(2012, 10, 1),
        40,
        practice_started_on=date(2018, 1, 1),
        net_monthly_eur=Decimal("1000"),
    )
    zone = {"zone_since": date(2015, 1, 1), "zone_lost_on": date(2020, 1, 1)}
    last_2013_day = assess_rupture(terms, date(2020, 5, 28), **zone)
    first_2020_day = assess_rupture(terms, date(2020, 5, 29), **zone)
    assert last_2013_day.penalty_eur == 0 and last_2013_day.total_due_eur == Decimal("40000.00")
    assert first_2020_day.release_key == "r631-24-17-perte-de-zone"
    assert first_2020_day.total_due_eur == Decimal("0")
    assert first_2020_day.basis is PenaltyBasis.NOTHING_DUE


def test_a_zone_that_qualified_less_than_three_years_releases_nobody() -> None:
    terms = _terms(date(2012, 10, 1), 40, practice_started_on=date(2018, 1, 1))
    result = assess_rupture(
        terms, date(2020, 6, 1), zone_since=date(2018, 6, 1), zone_lost_on=date(2020, 1, 1)
    )
    assert result.release_key is None and result.penalty_eur == 20_000


# --- reduced sums once practising -----------------------------------------------------

PRACTISING = {"practice_started_on": date(2019, 11, 1), "net_monthly_eur": Decimal("1085")}


def test_from_29_may_2020_a_practising_doctor_repays_the_months_not_served() -> None:
    # R.631-24-16 II 1°: last monthly allowance x months not served, plus the penalty.
    terms = _terms(date(2015, 10, 1), 40, **PRACTISING)
    result = assess_rupture(terms, date(2022, 5, 1))
    assert result.months_served == 30
    assert result.allowances_due_eur == Decimal("10850.00")
    assert result.total_due_eur == Decimal("30850.00") and not result.maximum
    assert any("R.631-24-16" in note for note in result.notes_fr)


def test_before_29_may_2020_the_2011_annex_is_missing_and_the_maximum_is_given() -> None:
    terms = _terms(date(2015, 10, 1), 40, **PRACTISING)
    result = assess_rupture(terms, date(2020, 5, 28))
    assert result.total_due_eur == Decimal("63400.00") and result.maximum
    assert any("annexe" in note and "maximum" in note for note in result.notes_fr)
    assert not assess_rupture(terms, date(2020, 5, 29)).maximum


def test_r631_24_16_abrogated_on_7_january_2026_successor_unknown_maximum_given() -> None:
    terms = _terms(
        date(2018, 10, 1),
        40,
        practice_started_on=date(2024, 1, 1),
        net_monthly_eur=Decimal("1085"),
    )
    last_day = assess_rupture(terms, date(2026, 1, 6))
    abrogated = assess_rupture(terms, date(2026, 1, 7))
    assert last_day.total_due_eur == Decimal("37360.00") and not last_day.maximum
    assert abrogated.total_due_eur == Decimal("63400.00") and abrogated.maximum
    assert any("abrogé" in n and "pas connu" in n for n in abrogated.notes_fr)


def test_the_reduced_sum_without_the_monthly_allowance_gives_the_maximum_and_says_why() -> None:
    terms = _terms(date(2015, 10, 1), 40, practice_started_on=date(2019, 11, 1))
    result = assess_rupture(terms, date(2022, 5, 1))
    assert result.maximum and result.total_due_eur is None
    assert any("allocation mensuelle inconnue" in n for n in result.notes_fr)


# --- findings of the legal review: caveats and citations by date -------------------------


def test_the_2020_amounts_after_the_abrogation_of_r631_24_16_carry_a_caveat() -> None:
    # R.631-24-16, the basis of the arrêté du 26 mai 2020, is abrogated from 2026-01-07.
    terms = _terms(date(2023, 10, 1), 29, net_monthly_eur=Decimal("1100"))
    after = assess_rupture(terms, date(2026, 3, 1))
    assert after.penalty_eur == 5_800
    assert any("abrogé depuis le 07/01/2026" in n for n in after.notes_fr)
    before = assess_rupture(_terms(date(2023, 10, 1), 28), date(2026, 1, 6))
    assert not any("abrogé" in n for n in before.notes_fr)
    dentist = _terms(
        date(2023, 10, 1), 29, profession=Profession.CHIRURGIEN_DENTISTE, net_monthly_eur=None
    )
    assert any("abrogé" in n for n in assess_rupture(dentist, date(2026, 3, 1)).notes_fr)


def test_a_practising_rupture_before_2012_03_28_cites_the_initial_arrete() -> None:
    # Art. 1er-2 was added to the arrêté du 24 juin 2011 in 2012; before, its annex
    # referred to « au quatrième alinéa de l'article 1er ».
    terms = _terms(
        date(2009, 10, 1),
        20,
        des_obtained_on=date(2011, 6, 1),
        practice_started_on=date(2011, 7, 1),
    )
    early = assess_rupture(terms, date(2012, 1, 2))
    assert not any("1er-2" in n for n in early.notes_fr)
    assert any("quatrième alinéa de l'article 1er" in n for n in early.notes_fr)
    later = assess_rupture(terms, date(2012, 6, 1))
    assert any("art. 1er-2 et annexe" in n for n in later.notes_fr)


def test_one_month_of_service_that_raises_the_sum_says_the_texts_differ() -> None:
    # R.631-24-16, II, 1°: last allowance x months not respected, no ceiling (23 x 1 100);
    # the arrêté du 26 mai 2020 art. 1er, I: the net allowances received (12 x 1 100).
    terms = _terms(
        date(2019, 11, 1),
        12,
        net_monthly_eur=Decimal("1100"),
        des_obtained_on=date(2020, 10, 31),
        practice_started_on=date(2020, 11, 1),
    )
    none_served = assess_rupture(terms, date(2020, 11, 30))
    one_served = assess_rupture(terms, date(2020, 12, 1))
    assert none_served.total_due_eur == Decimal("33200.00")
    assert one_served.total_due_eur == Decimal("45300.00")
    [note] = [n for n in one_served.notes_fr if "Textes divergents" in n]
    assert "13 200,00 €" in note and "25 300,00 €" in note

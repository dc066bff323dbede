"""The national manager by date (CNG, then ASP: décret n°2025-270) and the role label."""

from datetime import date

from cesp.engagement.authority import national_manager_on, role_label_fr
from cesp.engagement.rules import EngagementTerms, assess_rupture


def test_the_cng_manages_every_contract_until_25_march_2025() -> None:
    assert national_manager_on(date(2025, 3, 25), date(2025, 3, 25)).code == "CNG"


def test_from_26_march_2025_the_asp_manages_the_contracts_signed_from_then() -> None:
    assert national_manager_on(date(2025, 3, 26), date(2025, 3, 26)).code == "ASP"
    assert national_manager_on(date(2025, 3, 26), date(2020, 10, 1)).code == "CNG"


def test_the_asp_takes_over_every_contract_on_1_january_2026() -> None:
    assert national_manager_on(date(2025, 12, 31), date(2020, 10, 1)).code == "CNG"
    assert national_manager_on(date(2026, 1, 1), date(2020, 10, 1)).code == "ASP"


def test_the_cng_key_role_shows_the_manager_of_the_day() -> None:
    assert role_label_fr("cng", date(2024, 6, 1)) == "CNG"
    assert role_label_fr("cng", date(2026, 6, 1)) == "ASP"


def test_a_rupture_names_the_manager_in_force_on_its_date() -> None:
    terms = EngagementTerms(signed_on=date(2020, 10, 1), months_paid=20)
    assert assess_rupture(terms, date(2022, 6, 1)).national_manager == "CNG"
    assert assess_rupture(terms, date(2026, 1, 2)).as_dict()["national_manager"] == "ASP"

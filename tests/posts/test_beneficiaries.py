"""Beneficiaries: professions open by date (décret n°2026-4), bad rows refused together."""

from datetime import date

import pytest
import sqlalchemy as sa

from cesp.errors import ValidationFailedError
from cesp.posts.beneficiaries import add_beneficiaries, get_beneficiary
from cesp.storage.engine import write_transaction
from tests.posts.conftest import CNG


def row(reference: str, profession: str, requested: str, **extra: str) -> dict[str, str]:
    return {
        "reference": reference,
        "name": "Exemple",
        "profession": profession,
        "training_region": "11",
        "requested_on": requested,
        "signed_on": requested,
        "months_paid": "12",
        **extra,
    }


def test_midwives_and_pharmacists_sign_only_for_requests_from_16_january_2026(
    idf_engine: sa.Engine,
) -> None:
    with pytest.raises(ValidationFailedError) as error, write_transaction(idf_engine) as conn:
        add_beneficiaries(conn, [(2, row("SF-1", "sage-femme", "2026-01-15"))], CNG)
    assert error.value.problems[0].field == "profession"
    with write_transaction(idf_engine) as conn:
        [a, b] = add_beneficiaries(
            conn,
            [
                (2, row("SF-2", "sage-femme", "2026-01-16")),
                (3, row("PH-1", "pharmacien", "2026-03-01")),
            ],
            CNG,
        )
    with idf_engine.connect() as conn:
        assert get_beneficiary(conn, a).profession == "sage-femme"
        assert get_beneficiary(conn, b).profession == "pharmacien"


def test_dates_may_be_written_jj_mm_aaaa(idf_engine: sa.Engine) -> None:
    with write_transaction(idf_engine) as conn:
        [who] = add_beneficiaries(conn, [(2, row("FR-1", "Médecin", "15/11/2025"))], CNG)
    with idf_engine.connect() as conn:
        assert get_beneficiary(conn, who).requested_on == date(2025, 11, 15)


def test_every_bad_row_is_listed_and_nothing_is_written(idf_engine: sa.Engine) -> None:
    rows = [
        (2, row("OK", "medecin", "2020-01-01")),
        (3, row("BAD-DATE", "medecin", "31/02/2020")),
        (4, row("BAD-MONTHS", "medecin", "2020-01-01", months_paid="-3")),
    ]
    with pytest.raises(ValidationFailedError) as error, write_transaction(idf_engine) as conn:
        add_beneficiaries(conn, rows, CNG)
    assert [(p.row, p.field) for p in error.value.problems] == [
        (3, "requested_on"),
        (4, "months_paid"),
    ]
    with idf_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM beneficiaries")).scalar_one() == 0


def test_dentists_sign_only_from_16_august_2013(idf_engine: sa.Engine) -> None:
    # Décret n°2013-735 du 14 août 2013 (JORF 15 August) opened the dental CESP: a dentist
    # signed in 2012 is refused at import, not only later by /engagement.
    with pytest.raises(ValidationFailedError) as error, write_transaction(idf_engine) as conn:
        add_beneficiaries(conn, [(2, row("CD-1", "chirurgien-dentiste", "2012-10-01"))], CNG)
    [problem] = error.value.problems
    assert problem.field == "profession" and "16/08/2013" in problem.message_fr
    with write_transaction(idf_engine) as conn:
        [ok] = add_beneficiaries(conn, [(2, row("CD-2", "chirurgien-dentiste", "2013-08-16"))], CNG)
    with idf_engine.connect() as conn:
        assert get_beneficiary(conn, ok).profession == "chirurgien-dentiste"

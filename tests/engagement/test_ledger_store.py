"""The ledger on a real database (SpatiaLite, or PostGIS with CESP_TEST_DATABASE_URL):
periods and events appended and audited, the follow-up from the zone history, the
decree preview counting the practising beneficiaries it would take out of every zone."""

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from cesp.audit import list_entries
from cesp.eligibility.index import build_index
from cesp.eligibility.sites import make_site
from cesp.engagement.ledger_store import (
    add_event,
    add_period,
    follow_up_of,
    ledger_csv,
    ledger_xlsx,
)
from cesp.errors import InvalidInputError
from cesp.posts.beneficiaries import add_beneficiaries, get_beneficiary
from cesp.posts.impact import preview_impact
from cesp.storage.engine import write_transaction
from tests.posts.conftest import CNG, inside
from tests.zones.helpers import import_codes, request


def _beneficiary(engine: sa.Engine, **fields: str) -> int:
    row = {
        "reference": "B-1",
        "name": "Interne Un",
        "profession": "medecin",
        "training_region": "11",
        "requested_on": "2009-09-01",
        "signed_on": "2009-10-01",
        "months_paid": "72",
        "practice_started_on": "2014-01-01",
        **fields,
    }
    with write_transaction(engine) as conn:
        [beneficiary_id] = add_beneficiaries(conn, [(2, row)], CNG)
    return beneficiary_id


def test_a_site_whose_zone_was_unchanged_three_years_and_is_lost_releases_the_doctor(
    idf_engine: sa.Engine, decree_2018
) -> None:
    # Bobigny qualifies under 12-209 from 2012-05-24 and leaves every zone on 2018-01-01.
    who = _beneficiary(idf_engine)
    lon, lat = inside(idf_engine, "93008")
    with write_transaction(idf_engine) as conn:
        b = get_beneficiary(conn, who)
        add_period(
            conn, b, make_site(lon=lon, lat=lat), date(2014, 1, 1), None, "liberal", 1.0, CNG
        )
    index = build_index(idf_engine)
    with idf_engine.connect() as conn:
        before, periods, _ = follow_up_of(conn, index, get_beneficiary(conn, who), date(2017, 6, 1))
        after, _, _ = follow_up_of(conn, index, get_beneficiary(conn, who), date(2020, 6, 1))
        audit = list_entries(conn, action="ledger.period")
    assert periods[0].region == "11"
    assert before.status == "practising" and before.months_served == 42
    assert after.status == "released" and after.zone_lost_on == date(2018, 1, 1)
    assert "r631-24-17-perte-de-zone" in after.rules
    assert len(audit) == 1 and audit[0].object_id == str(who)


def test_a_site_given_by_insee_code_in_la_courneuve_keeps_qualifying(
    idf_engine: sa.Engine, decree_2018
) -> None:
    who = _beneficiary(idf_engine)
    with write_transaction(idf_engine) as conn:
        b = get_beneficiary(conn, who)
        add_period(conn, b, make_site(insee="93027"), date(2014, 1, 1), None, "salarie", 0.5, CNG)
        add_event(conn, b, "suspension", date(2016, 1, 1), 3, "congé", CNG)
    index = build_index(idf_engine)
    with idf_engine.connect() as conn:
        result, periods, events = follow_up_of(
            conn, index, get_beneficiary(conn, who), date(2016, 1, 15)
        )
        audit = list_entries(conn, action="ledger.suspension")
    assert result.status == "practising" and result.months_served == 12.5
    assert result.suspended_months == 3 and periods[0].insee == "93027"
    assert len(audit) == 1
    csv_text = ledger_csv(periods, events).decode("utf-8")
    assert csv_text.splitlines()[0].startswith("type,id,debut,fin,mois")
    assert "suspension" in csv_text and "93027" in csv_text
    assert ledger_xlsx(periods, events)[:2] == b"PK"


def test_a_period_that_ends_before_it_starts_is_refused_naming_the_field(
    idf_engine: sa.Engine, decree_2012
) -> None:
    who = _beneficiary(idf_engine)
    with write_transaction(idf_engine) as conn, pytest.raises(InvalidInputError) as error:
        add_period(
            conn, get_beneficiary(conn, who), make_site(insee="93027"),
            date(2015, 1, 1), date(2014, 1, 1), "liberal", 1.0, CNG,
        )  # fmt: skip
    assert error.value.field == "ends_on" and "précède" in error.value.message_fr


def test_the_decree_preview_counts_the_practising_beneficiaries_it_takes_out_of_every_zone(
    idf_engine: sa.Engine, decree_2012, tmp_path: Path
) -> None:
    bobigny, courneuve = _beneficiary(idf_engine), _beneficiary(idf_engine, reference="B-2")
    with write_transaction(idf_engine) as conn:
        for who, code in ((bobigny, "93008"), (courneuve, "93027")):
            b = get_beneficiary(conn, who)
            add_period(conn, b, make_site(insee=code), date(2014, 1, 1), None, "liberal", 1.0, CNG)
    index = build_index(idf_engine)
    fields = {"reference": "26-1", "signed": date(2026, 1, 10)}
    fields["effective_from"] = date(2026, 2, 1)
    report = import_codes(
        idf_engine, tmp_path / "z.csv", "code_insee;nom_zone\n93027;La Courneuve\n",
        dry_run=True, category="ZIP", **fields,
    )  # fmt: skip
    assert report.status == "preview"
    with idf_engine.connect() as conn:
        posts, practising = preview_impact(
            conn, index, request(dry_run=True, category="ZIP", **fields), report
        )
    assert posts == [] and practising == [bobigny]


def test_less_than_half_time_is_refused_for_a_contract_requested_from_16_january_2026(
    idf_engine: sa.Engine, decree_2012
) -> None:
    old = _beneficiary(idf_engine)
    new = _beneficiary(
        idf_engine, reference="B-26", requested_on="2026-01-16", signed_on="2026-02-01",
        months_paid="0", practice_started_on="",
    )  # fmt: skip
    site = make_site(insee="93027")
    with write_transaction(idf_engine) as conn:
        add_period(
            conn, get_beneficiary(conn, old), site, date(2014, 1, 1), None, "liberal", 0.4, CNG
        )
        with pytest.raises(InvalidInputError) as error:
            add_period(
                conn, get_beneficiary(conn, new), site, date(2026, 3, 1), None, "liberal", 0.4, CNG
            )
    assert error.value.field == "time_fraction" and "mi-temps" in error.value.message_fr

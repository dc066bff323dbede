"""``/api/v1/beneficiaries/{id}/ledger``, ``/periods`` and ``/events`` over HTTP: who may
read and write the follow-up, its JSON answer and its CSV/XLSX exports."""

import io
from typing import Any

from openpyxl import load_workbook

from fastapi.testclient import TestClient

from tests.api.test_posts import api, bearer, world

__all__ = ["api", "world"]


def _period(api: TestClient, world: dict[str, Any], who: int, **extra: Any) -> Any:
    body = {
        "site": {"insee": "93008"},
        "starts_on": "2023-01-01",
        "mode": "liberal",
        "time_fraction": 1.0,
        **extra,
    }
    return api.post(f"/api/v1/beneficiaries/{who}/periods", json=body, headers=bearer(world, "cng"))


def test_the_national_manager_records_a_period_and_reads_the_follow_up(
    api: TestClient, world: dict[str, Any]
) -> None:
    who = world["people"][0]
    assert _period(api, world, who).status_code == 201
    event = api.post(
        f"/api/v1/beneficiaries/{who}/events",
        json={"kind": "deferral", "starts_on": "2022-10-01", "months": 3},
        headers=bearer(world, "cng"),
    )
    assert event.status_code == 201, event.text
    answer = api.get(
        f"/api/v1/beneficiaries/{who}/ledger?date=2024-01-15", headers=bearer(world, "cng")
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "practising" and body["months_served"] == 13
    assert body["engagement_months"] == 30 and body["deferral_months"] == 3
    assert body["national_manager"] == "CNG" and body["periods"][0]["region"] == "11"
    assert (
        api.get(
            f"/api/v1/beneficiaries/{who}/ledger?date=2026-02-01", headers=bearer(world, "cng")
        ).json()["national_manager"]
        == "ASP"
    )


def test_the_ars_of_the_site_and_the_intern_read_it_others_are_refused(
    api: TestClient, world: dict[str, Any]
) -> None:
    who = world["people"][0]
    assert _period(api, world, who).status_code == 201
    url = f"/api/v1/beneficiaries/{who}/ledger"
    assert api.get(url, headers=bearer(world, "ars-11")).status_code == 200
    assert api.get(url, headers=bearer(world, "interne-1")).status_code == 200
    assert api.get(url, headers=bearer(world, "ars-84")).status_code == 403
    other = api.get(url, headers=bearer(world, "interne-2"))
    assert other.status_code == 403 and other.json()["detail_fr"]
    assert api.get(url).status_code == 401
    written = api.post(
        f"/api/v1/beneficiaries/{who}/periods",
        json={"site": {"insee": "93008"}, "starts_on": "2023-01-01", "mode": "liberal"},
        headers=bearer(world, "interne-1"),
    )
    assert written.status_code == 403


def test_the_ledger_exports_as_csv_and_xlsx(api: TestClient, world: dict[str, Any]) -> None:
    who = world["people"][0]
    assert _period(api, world, who).status_code == 201
    url = f"/api/v1/beneficiaries/{who}/ledger"
    csv = api.get(url + "?format=csv", headers=bearer(world, "cng"))
    assert csv.headers["content-type"].startswith("text/csv")
    assert "93008" in csv.content.decode("utf-8-sig")
    assert csv.content.decode("utf-8").startswith("type,id,debut,fin,mois,mode,quotite,")
    french = api.get(url, params={"format": "csv", "dialect": "excel-fr", "date": "15/11/2026"},
                     headers=bearer(world, "cng"))  # fmt: skip
    assert french.status_code == 200 and french.content.startswith(b"\xef\xbb\xbftype;id;")
    assert "suivi-" in french.headers["content-disposition"]
    xlsx = api.get(url + "?format=xlsx", headers=bearer(world, "cng"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(xlsx.content))["suivi"]
    assert sheet["C2"].is_date and sheet["C2"].number_format == "DD/MM/YYYY"  # debut
    assert sheet.freeze_panes == "A2"


def test_a_bad_period_is_refused_with_french_and_english_naming_the_field(
    api: TestClient, world: dict[str, Any]
) -> None:
    who = world["people"][0]
    wrong = _period(api, world, who, ends_on="2022-01-01")
    assert wrong.status_code == 422, wrong.text
    body = wrong.json()
    assert body["field"] == "ends_on" and body["detail"] and body["detail_fr"]
    mode = _period(api, world, who, mode="bénévole")
    assert mode.status_code == 422 and mode.json()["field"] == "mode"


def test_the_ledger_and_the_engagement_name_the_manager_from_the_signature_date(
    api: TestClient, world: dict[str, Any], engine: Any
) -> None:
    from cesp.posts.beneficiaries import add_beneficiaries
    from cesp.storage.engine import write_transaction
    from tests.posts.conftest import CNG

    row = {
        "reference": "B-ASP",
        "name": "Interne ASP",
        "profession": "medecin",
        "training_region": "11",
        "requested_on": "2025-04-01",
        "signed_on": "2025-04-01",
        "months_paid": "5",
    }
    with write_transaction(engine) as conn:
        [who] = add_beneficiaries(conn, [(None, row)], CNG)
    headers = bearer(world, "cng")
    ledger = api.get(f"/api/v1/beneficiaries/{who}/ledger?date=2025-09-01", headers=headers)
    engagement = api.get(f"/api/v1/beneficiaries/{who}/engagement?date=2025-09-01", headers=headers)
    assert ledger.status_code == 200, ledger.text
    assert engagement.status_code == 200, engagement.text
    # Signed from 2025-03-26: the ASP (décret n°2025-270), in both answers.
    assert ledger.json()["national_manager"] == "ASP"
    assert engagement.json()["national_manager"] == "ASP"
    older = world["people"][0]  # signed 2020-10-01: the CNG until 2025-12-31
    assert (
        api.get(f"/api/v1/beneficiaries/{older}/ledger?date=2025-09-01", headers=headers).json()[
            "national_manager"
        ]
        == "CNG"
    )


def test_the_engagement_counts_the_suspensions_recorded_in_the_ledger(
    api: TestClient, world: dict[str, Any], engine: Any
) -> None:
    from cesp.posts.beneficiaries import add_beneficiaries
    from cesp.storage.engine import write_transaction
    from tests.posts.conftest import CNG

    row = {
        "reference": "B-SUSP",
        "name": "Médecin S",
        "profession": "medecin",
        "training_region": "11",
        "requested_on": "2020-09-01",
        "signed_on": "2020-10-01",
        "months_paid": "30",
        "practice_started_on": "2023-01-01",
    }
    with write_transaction(engine) as conn:
        [who] = add_beneficiaries(conn, [(None, row)], CNG)
    headers = bearer(world, "cng")
    event = api.post(
        f"/api/v1/beneficiaries/{who}/events",
        json={"kind": "suspension", "starts_on": "2023-06-01", "months": 3},
        headers=headers,
    )
    assert event.status_code == 201, event.text
    answer = api.get(f"/api/v1/beneficiaries/{who}/engagement?date=2024-01-15", headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    # 12 months since the start of practice, 3 of them suspended: 9 served, the end
    # pushed back by the 3 months (30 + 3 months from 2023-01-01).
    assert body["suspended_months"] == 3
    assert body["months_served"] == 9 and body["months_remaining"] == 21
    assert body["engagement_ends_on"] == "2025-10-01"
    assert body["rupture_if_now"]["months_served"] == 9

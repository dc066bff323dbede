"""``GET /api/v1/relocations`` and the relocation file: filters, the caller's file
reference, and the ledger entry an allowed move appends."""

import sqlalchemy as sa

from fastapi.testclient import TestClient

from cesp.posts.beneficiaries import add_beneficiaries
from cesp.storage.engine import write_transaction
from tests.api.test_eligibility import BOBIGNY, COURNEUVE, api, cng, zoned_url
from tests.posts.conftest import CNG

__all__ = ["api", "cng", "zoned_url"]


def _beneficiary(engine: sa.Engine) -> int:
    row = {
        "reference": "B-R",
        "name": "Interne R",
        "profession": "medecin",
        "training_region": "11",
        "requested_on": "2009-09-01",
        "signed_on": "2009-10-01",
        "months_paid": "60",
        "practice_started_on": "2014-01-01",
    }
    with write_transaction(engine) as conn:
        [who] = add_beneficiaries(conn, [(2, row)], CNG)
    return who


def _move(api: TestClient, cng: dict, who: int, **extra: object):
    body = {
        "profession": "medecin",
        "current_site": BOBIGNY,
        "new_site": COURNEUVE,
        "change_date": "2015-06-01",
        "engagement_end": "2020-06-30",
        "beneficiary_id": who,
        "file_reference": "DOSSIER-42",
        **extra,
    }
    return api.post("/api/v1/relocations/validate", json=body, headers=cng)


def test_relocations_are_listed_with_filters_and_the_callers_file_reference(
    api: TestClient, cng: dict, scratch_engine: sa.Engine
) -> None:
    who = _beneficiary(scratch_engine)
    moved = _move(api, cng, who)
    assert moved.status_code == 200, moved.text
    assert moved.json()["file_reference"] == "DOSSIER-42"
    refused = _move(api, cng, who, new_site={"lon": 2.3522, "lat": 48.8566})
    assert refused.json()["decision"] == "refused"

    def listed(**params: object) -> list[dict]:
        answer = api.get("/api/v1/relocations", params=params, headers=cng)
        assert answer.status_code == 200, answer.text
        return answer.json()

    assert len(listed(beneficiary_id=who)) == 2
    [allowed] = listed(beneficiary_id=who, decision="allowed")
    assert allowed["file_reference"] == "DOSSIER-42" and allowed["region_to"] == "11"
    assert len(listed(region="11")) == 2 and listed(region="84") == []
    assert len(listed(**{"from": "2015-06-01", "to": "2015-06-01"})) == 2
    assert listed(**{"from": "2015-06-02"}) == []
    assert api.get("/api/v1/relocations").status_code == 401


def test_an_allowed_move_appends_a_period_at_the_new_site_to_the_ledger(
    api: TestClient, cng: dict, scratch_engine: sa.Engine
) -> None:
    who = _beneficiary(scratch_engine)
    url = f"/api/v1/beneficiaries/{who}/periods"
    first = {"site": BOBIGNY, "starts_on": "2014-01-01", "mode": "liberal"}
    assert api.post(url, json=first, headers=cng).status_code == 201
    assert _move(api, cng, who, mode="salarie", time_fraction=0.8).status_code == 200
    ledger = api.get(f"/api/v1/beneficiaries/{who}/ledger?date=2016-01-01", headers=cng).json()
    periods = ledger["periods"]
    assert [(p["starts_on"], p["ends_on"]) for p in periods] == [
        ("2014-01-01", "2015-05-31"),
        ("2015-06-01", None),
    ]
    assert (periods[1]["mode"], periods[1]["time_fraction"]) == ("salarie", 0.8)
    assert ledger["status"] == "practising"

"""Roles, regions, the audit trail and the anonymous rate limit, through HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from fastapi.testclient import TestClient

from cesp.api.app import create_app
from cesp.audit import Actor
from cesp.keys import create_key, revoke_key
from cesp.storage.engine import write_transaction
from cesp.storage.settings import Settings
from tests.zones.helpers import counts

FORM = {
    "region": "11",
    "reference": "12-209",
    "signed": "2012-05-24",
    "effective_from": "2012-05-24",
    "profession": "medecin",
}
CODES = b"code_insee;nom_zone\n93027;La Courneuve\n"
ADMIN = Actor("test", "admin")
ROLES = {
    "ars-11": ("ars", "11"),
    "ars-84": ("ars", "84"),
    "intern": ("intern", None),
    "cng": ("cng", None),
    "admin": ("admin", None),
}


@pytest.fixture
def tokens(engine: sa.Engine) -> dict[str, str]:
    result = {}
    with write_transaction(engine) as conn:
        for name, (role, region) in ROLES.items():
            _, result[name] = create_key(conn, name, role, region, ADMIN)
    return result


@pytest.fixture
def api(engine: sa.Engine, scratch_url: str, data_dir: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=scratch_url, data_dir=data_dir)
    with TestClient(create_app(settings)) as client:
        yield client


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _import(api: TestClient, headers: dict[str, str], **form: str):
    return api.post(
        "/api/v1/decrees", files={"file": ("z.csv", CODES)}, data={**FORM, **form}, headers=headers
    )


def test_anonymous_write_is_401_in_french_and_english(api: TestClient, engine: sa.Engine):
    answer = _import(api, {})
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    body = answer.json()
    assert body["error"] == "unauthorized"
    assert "API key" in body["detail"] and "clé d'API" in body["detail_fr"]
    assert counts(engine)["decrees"] == 0


@pytest.mark.parametrize(
    ("key", "region", "status"),
    [
        ("ars-11", "11", 201),
        ("ars-84", "11", 403),
        ("intern", "11", 403),
        ("cng", "11", 201),
        ("admin", "11", 201),
    ],
)
def test_decree_import_by_role_and_region(api, tokens, engine, key, region, status):
    answer = _import(api, _bearer(tokens[key]), region=region)
    assert answer.status_code == status, answer.json()
    if status == 403:
        assert answer.json()["error"] == "forbidden" and answer.json()["detail_fr"]
        assert counts(engine)["decrees"] == 0
    else:
        assert answer.json()["decree"]["imported_by"] == key


def test_ars_may_publish_only_its_own_region(api, tokens, engine):
    created = _import(api, _bearer(tokens["cng"])).json()["decree"]
    refused = api.post(
        f"/api/v1/decrees/{created['id']}/publish", headers=_bearer(tokens["ars-84"])
    )
    assert refused.status_code == 403 and refused.json()["field"] == "region"
    allowed = api.post(
        f"/api/v1/decrees/{created['id']}/publish", headers=_bearer(tokens["ars-11"])
    )
    assert allowed.status_code == 200 and allowed.json()["status"] == "published"


def test_bad_and_revoked_keys_are_401(api, tokens, engine):
    assert _import(api, {"Authorization": "Basic abc"}).status_code == 401
    assert _import(api, _bearer("cesp_not-a-key")).status_code == 401
    with write_transaction(engine) as conn:
        revoke_key(conn, "ars-11", ADMIN)
    answer = _import(api, _bearer(tokens["ars-11"]))
    assert answer.status_code == 401 and "revoked" in answer.json()["detail"]


def test_relocation_needs_cng(api, tokens):
    body = {
        "profession": "medecin",
        "current_site": {"insee": "93027"},
        "new_site": {"insee": "93008"},
        "change_date": "2013-01-01",
        "engagement_end": "2016-01-01",
    }
    assert api.post("/api/v1/relocations/validate", json=body).status_code == 401
    for key in ("ars-11", "intern"):
        answer = api.post("/api/v1/relocations/validate", json=body, headers=_bearer(tokens[key]))
        assert answer.status_code == 403
    answer = api.post("/api/v1/relocations/validate", json=body, headers=_bearer(tokens["cng"]))
    assert answer.status_code == 200
    decision = answer.json()["id"]
    assert api.get(f"/api/v1/relocations/{decision}").status_code == 401
    fetched = api.get(f"/api/v1/relocations/{decision}", headers=_bearer(tokens["cng"]))
    assert fetched.json() == answer.json()


def test_audit_trail_records_writes_and_is_append_only(api, tokens, engine):
    _import(api, _bearer(tokens["ars-11"]), publish="true")
    assert api.get("/api/v1/audit").status_code == 401
    assert api.get("/api/v1/audit", headers=_bearer(tokens["ars-11"])).status_code == 403
    entries = api.get("/api/v1/audit", headers=_bearer(tokens["cng"])).json()
    actions = [(e["actor"], e["action"]) for e in entries]
    assert ("ars-11", "decree.import") in actions and ("ars-11", "decree.publish") in actions
    assert ("test", "key.create") in actions
    imported = next(e for e in entries if e["action"] == "decree.import")
    assert len(imported["file_sha256"]) == 64 and imported["region_code"] == "11"
    for statement in ("UPDATE audit_log SET summary = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(sa.text(statement))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one() == len(entries)


def test_a_refused_import_leaves_no_audit_row(api, tokens, engine):
    bad = api.post(
        "/api/v1/decrees",
        files={"file": ("z.csv", b"code_insee\n99999\n")},
        data=FORM,
        headers=_bearer(tokens["cng"]),
    )
    assert bad.status_code == 422
    with engine.connect() as conn:
        actions = [r[0] for r in conn.execute(sa.text("SELECT action FROM audit_log"))]
    assert "decree.import" not in actions


def test_anonymous_requests_are_rate_limited(engine, scratch_url, data_dir, tokens):
    settings = Settings(
        database_url=scratch_url, data_dir=data_dir, rate_limit_per_minute=6, rate_limit_burst=3
    )
    with TestClient(create_app(settings)) as client:
        answers = [client.get("/api/v1/communes?q=courneuve") for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        limited = answers[-1]
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.json()["error"] == "rate_limited"
        with_key = client.get("/api/v1/communes?q=courneuve", headers=_bearer(tokens["intern"]))
        assert with_key.status_code == 200

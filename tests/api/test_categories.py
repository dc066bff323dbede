"""Published layouts through the HTTP form, and the category table with its aliases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from fastapi.testclient import TestClient

from cesp.api.app import create_app
from cesp.audit import Actor
from cesp.keys import create_key
from cesp.storage.engine import write_transaction
from cesp.storage.settings import Settings
from tests.geo.qpv_contours import load_contours
from tests.zones.published_layouts import cartosante_csv, drees_national

FORM = {
    "region": "11",
    "reference": "18-100",
    "signed": "2018-03-01",
    "effective_from": "2018-03-01",
    "profession": "medecin",
    "dry_run": "true",
}


@pytest.fixture
def api(engine: sa.Engine, scratch_url: str, data_dir: Path) -> Iterator[TestClient]:
    """A client holding the API key of the ARS of Île-de-France."""
    with write_transaction(engine) as conn:
        _, token = create_key(conn, "ARS IDF", "ars", "11", Actor("test", "admin"))
    settings = Settings(database_url=scratch_url, data_dir=data_dir)
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def test_national_file_uploaded_as_published_is_filtered_to_the_region(
    api: TestClient, engine: sa.Engine, tmp_path: Path
):
    load_contours(engine, tmp_path)
    path, expected = drees_national(tmp_path)
    answer = api.post("/api/v1/decrees", files={"file": (path.name, path.read_bytes())}, data=FORM)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["format"] == "xlsx" and body["rows_kept"] == expected.kept
    assert body["skipped_by_region"] == 4 and body["skipped_by_category"] == {"Hors vivier": 2}
    assert body["qpv_zones"] == 3 and sum(z["overrides"] for z in body["zones"]) == 3
    assert any("Zonage_communes" in n for n in body["notes"])


def test_columns_and_category_map_through_the_form(api: TestClient):
    content = b"ref;secteur;classe\n93027;Nord;P1\n93008;Est;P2\n"
    form = {
        **FORM,
        "code_field": "ref",
        "zone_field": "secteur",
        "category_field": "classe",
        "category_map": "P1=ZIP\nP2=ZAC",
    }
    answer = api.post("/api/v1/decrees", files={"file": ("maison.csv", content)}, data=form)
    assert answer.status_code == 200, answer.text
    zones = sorted((z["name"], z["category"]) for z in answer.json()["zones"])
    assert zones == [("Est", "ZAC"), ("Nord", "ZIP")]
    wrong = api.post(
        "/api/v1/decrees",
        files={"file": ("maison.csv", content)},
        data={**form, "code_field": "insee"},
    )
    assert wrong.status_code == 422 and wrong.json()["field"] == "code_field"
    assert "ref, secteur, classe" in wrong.json()["detail_fr"]


def test_an_ars_adds_an_alias_and_the_file_then_imports(
    api: TestClient, engine: sa.Engine, tmp_path: Path
):
    listed = api.get("/api/v1/zone-categories", params={"profession": "medecin"}).json()
    assert api.get("/api/v1/zone-categories", params={"profession": "Médecin"}).json() == listed
    hv = next(c for c in listed if c["code"] == "HV")
    assert hv["keep_rows"] is False and hv["qualifies_for_cesp"] is False
    zip_plus = next(c for c in listed if c["code"] == "ZIP+")
    assert zip_plus["parent_code"] == "ZIP" and "9 mai 2025" in zip_plus["legal_basis"]

    load_contours(engine, tmp_path)
    path, _ = cartosante_csv(tmp_path)
    path.write_text(path.read_text("utf-8-sig").replace("1_ZIP", "Zone prio"), "utf-8-sig")
    refused = api.post("/api/v1/decrees", files={"file": (path.name, path.read_bytes())}, data=FORM)
    assert refused.status_code == 422 and "Zone prio" in refused.text

    alias = {"profession": "medecin", "zoning_method": "arrete_2017", "code": "ZIP"}
    added = api.post("/api/v1/zone-categories/aliases", json={**alias, "alias": "Zone prio"})
    assert added.status_code == 201 and "Zone prio" in added.json()["aliases"]
    clash = api.post("/api/v1/zone-categories/aliases", json={**alias, "alias": "ZAC"})
    assert clash.status_code == 422 and clash.json()["field"] == "alias"
    accepted = api.post(
        "/api/v1/decrees", files={"file": (path.name, path.read_bytes())}, data=FORM
    )
    assert accepted.status_code == 200 and accepted.json()["rows_kept"] == 7  # 2 QPV
    with engine.connect() as conn:
        actions = [r[0] for r in conn.execute(sa.text("SELECT action FROM audit_log"))]
    assert "category.alias" in actions
    anonymous = TestClient(api.app).post(
        "/api/v1/zone-categories/aliases", json={**alias, "alias": "x"}
    )
    assert anonymous.status_code == 401

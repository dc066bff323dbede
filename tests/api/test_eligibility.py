"""``/api/v1/eligibility`` and ``/api/v1/relocations``: the CNG validation API."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from fastapi.testclient import TestClient

from cesp.api.app import create_app
from cesp.audit import Actor
from cesp.geo.crs import LAMBERT93, WGS84, transformer
from cesp.keys import create_key
from cesp.storage.settings import Settings
from tests.zones.helpers import (
    publish_codes,
    publish_drawn_2018,
)

ELIGIBILITY = "/api/v1/eligibility"
BATCH = "/api/v1/eligibility/batch"
BOBIGNY = {"lon": 2.4397, "lat": 48.9086}
COURNEUVE = {"lon": 2.389, "lat": 48.9236}
PARIS_CENTRE = {"lon": 2.3522, "lat": 48.8566}


@pytest.fixture
def zoned_url(idf_engine: sa.Engine, scratch_url: str, tmp_path: Path) -> str:
    """75, 92 and 93 with decree 12-209 (2012) and the drawn 17-1000 (2018)."""
    publish_codes(idf_engine, tmp_path / "12-209.csv")
    publish_drawn_2018(idf_engine, tmp_path / "17-1000.geojson")
    return scratch_url


@pytest.fixture
def api(zoned_url: str, data_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=zoned_url, data_dir=data_dir))) as client:
        yield client


@pytest.fixture
def cng(scratch_engine: sa.Engine, zoned_url: str) -> dict[str, str]:
    """Headers of a CNG key (relocations are the CNG's)."""
    with scratch_engine.begin() as conn:
        _, token = create_key(conn, "cng-test", "cng", None, Actor("test", "admin"))
    return {"Authorization": f"Bearer {token}"}


def _field(response) -> str:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["detail"] and body["detail_fr"]
    return body["field"]


def test_check_by_lon_lat(api: TestClient):
    response = api.get(ELIGIBILITY, params={**BOBIGNY, "date": "2013-01-01"})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["eligible"]) == ("eligible", True)
    assert (body["commune"]["code"], body["commune"]["name"]) == ("93008", "Bobigny")
    assert [z["name"] for z in body["zones"]] == ["Bobigny"]
    assert [d["reference"] for d in body["decrees"]] == ["12-209"]
    assert body["message_fr"].startswith("Lieu éligible au CESP à Bobigny au 01/01/2013")
    assert body["site"] == BOBIGNY and body["date"] == "2013-01-01"


def test_lambert93_and_lon_lat_give_one_answer(api: TestClient):
    x, y = transformer(WGS84, LAMBERT93).transform(PARIS_CENTRE["lon"], PARIS_CENTRE["lat"])
    by_degrees = api.get(ELIGIBILITY, params={**PARIS_CENTRE, "date": "2013-01-01"}).json()
    by_metres = api.get(ELIGIBILITY, params={"x": x, "y": y, "date": "2013-01-01"}).json()
    assert by_degrees["status"] == by_metres["status"] == "not_eligible"
    assert by_degrees["commune"] == by_metres["commune"]
    assert by_degrees["arrondissement"] == by_metres["arrondissement"]
    assert by_metres["nearest_zone"]["name"] == by_degrees["nearest_zone"]["name"] == "ZUS 18ème"
    assert by_metres["distance_m"] == pytest.approx(by_degrees["distance_m"], abs=0.1)
    assert by_metres["site"]["x"] == pytest.approx(x)
    assert "Zone éligible la plus proche" in by_degrees["message_fr"]


def test_check_by_insee_code(api: TestClient):
    whole = api.get(ELIGIBILITY, params={"insee": "93027", "date": "2013-01-01"}).json()
    assert (whole["status"], whole["eligible"], whole["coverage"]) == ("eligible", True, 1.0)
    half = api.get(ELIGIBILITY, params={"insee": "93029", "date": "2018-06-01"}).json()
    assert (half["status"], half["eligible"]) == ("partial", False)
    assert "n'est qu'en partie" in half["message_fr"]
    merged = api.get(ELIGIBILITY, params={"insee": "93059", "date": "2026-01-01"})
    assert _field(merged) == "insee"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"lon": 2.4397, "date": "2013-01-01"}, "lat"),
        ({**BOBIGNY, "date": "2013-02-30"}, "date"),
        ({**BOBIGNY, "insee": "93008"}, "lon"),
        ({"x": 660_000}, "y"),
        ({"x": 6_870_000, "y": 660_000}, "x"),
        ({"lon": 2.4, "lat": 95}, "lat"),
        ({"insee": "ABCDE"}, "insee"),
        ({**BOBIGNY, "profession": "plombier"}, "profession"),
    ],
)
def test_bad_query_is_a_422_naming_the_field(api: TestClient, params: dict, field: str):
    assert _field(api.get(ELIGIBILITY, params=params)) == field


def test_batch_json_keeps_the_order_of_mixed_sites(api: TestClient):
    sites = [
        {"id": "a", **PARIS_CENTRE},
        {"id": "b", "insee": "93027"},
        {"id": "c", **BOBIGNY, "date": "2018-06-01"},
        {"id": "d", **COURNEUVE},
        {"id": "e", "insee": "93029", "date": "2018-06-01"},
        {"id": "f", **BOBIGNY, "profession": "chirurgien-dentiste"},
    ]
    response = api.post(BATCH, json={"date": "2013-01-01", "sites": sites})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [(r["status"], r["commune"]["code"], r["date"]) for r in results] == [
        ("not_eligible", "75056", "2013-01-01"),
        ("eligible", "93027", "2013-01-01"),
        ("not_eligible", "93008", "2018-06-01"),
        ("eligible", "93027", "2013-01-01"),
        ("partial", "93029", "2018-06-01"),
        ("no_zoning", "93008", "2013-01-01"),
    ]
    assert results[5]["profession"] == "chirurgien-dentiste"


@pytest.mark.parametrize(
    "sites, field",
    [
        ([BOBIGNY, {"lon": 2.4}], "sites.1.lat"),
        ([BOBIGNY, BOBIGNY, {"lon": 2.4, "lat": 91}], "sites.2.lat"),
        ([{**BOBIGNY, "insee": "93008"}], "sites.0.lon"),
        ([BOBIGNY, {**BOBIGNY, "profession": "plombier"}], "sites.1.profession"),
        ([{**BOBIGNY, "colour": "red"}], "sites.0.colour"),
        # JSON's true/false are not coordinates, nor a number of seconds a date (pydantic
        # alone read lat=false as 0.0 and date=0 as 1970-01-01).
        ([BOBIGNY, {"lon": 2.44, "lat": False}], "sites.1.lat"),
        ([{"lon": True, "lat": 48.91}], "sites.0.lon"),
        ([{**BOBIGNY, "date": 0}], "sites.0.date"),
        ([{**BOBIGNY, "date": 1336003200}], "sites.0.date"),
        ([{**BOBIGNY, "date": "20120503"}], "sites.0.date"),
    ],
)
def test_batch_errors_name_the_site(api: TestClient, sites: list, field: str):
    assert _field(api.post(BATCH, json={"sites": sites})) == field


def test_batch_csv_upload_answers_in_csv(api: TestClient):
    text = "id,lon,lat\none,2.4397,48.9086\ntwo,abc,48.9\n=cmd,2.389,48.9236\nfour,-1.5,47.2\n"
    response = api.post(
        BATCH,
        files={"file": ("sites.csv", text.encode(), "text/csv")},
        data={"date": "2018-06-01"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["id"] for r in rows] == ["one", "two", "'=cmd", "four"]
    assert [r["status"] for r in rows] == [
        "not_eligible",  # Bobigny left the zoning on 2018-01-01
        "invalid",
        "eligible",
        "outside_territory",
    ]
    assert rows[1]["error"] == "lon/lat: not a number"
    assert rows[2]["decree_references"] == "17-1000"
    assert rows[3]["lon"] == "-1.5"

    bad_date = api.post(BATCH, files={"file": ("s.csv", text.encode())}, data={"date": "x"})
    assert _field(bad_date) == "date"
    no_file = api.post(BATCH, files={"other": ("s.csv", text.encode())})
    assert _field(no_file) == "file"


def test_dates_written_the_french_way_are_accepted(api: TestClient):
    """``date=15/11/2026`` (jj/mm/aaaa) means what ``date=2026-11-15`` means, on the query
    and on the batch upload's form; a date neither way is refused in both languages."""
    french = api.get(ELIGIBILITY, params={**BOBIGNY, "date": "01/06/2018"})
    iso = api.get(ELIGIBILITY, params={**BOBIGNY, "date": "2018-06-01"})
    assert french.status_code == iso.status_code == 200
    assert french.json() == iso.json() and french.json()["eligible"] is False
    in_2013 = api.get(ELIGIBILITY, params={**BOBIGNY, "date": "1/1/2013"}).json()
    assert in_2013["eligible"] is True
    bad = api.get(ELIGIBILITY, params={**BOBIGNY, "date": "2018-13-01"})
    assert _field(bad) == "date"
    assert "JJ/MM/AAAA" in bad.json()["detail_fr"] and "DD/MM/YYYY" in bad.json()["detail"]
    text = "id,lon,lat\none,2.4397,48.9086\n"
    upload = api.post(BATCH, files={"file": ("s.csv", text.encode())}, data={"date": "01/01/2013"})
    (row,) = csv.DictReader(io.StringIO(upload.text))
    assert row["eligible"] == "true"


def test_french_messages_carry_the_reason_and_the_allowed_values(api: TestClient):
    """The French text of a 422 says what the English one says: why, and what is allowed."""
    bad_region = api.get("/api/v1/zones/communes", params={"region": "Île-de-France"})
    assert _field(bad_region) == "region"
    fr = bad_region.json()["detail_fr"]
    assert fr.startswith("Paramètre invalide : region") and "Île-de-France" in fr
    assert "motif" in fr and r"\d" in fr  # the pattern the English message gives
    bad_format = api.get("/api/v1/zones/communes", params={"region": "11", "format": "pdf"}).json()
    assert "valeurs possibles" in bad_format["detail_fr"]
    for value in ("json", "csv", "csvt", "zip", "xlsx"):
        assert value in bad_format["detail_fr"] and value in bad_format["detail"]
    bad_dialect = api.get(
        "/api/v1/zones/communes", params={"region": "11", "format": "csv", "dialect": "us"}
    ).json()
    assert "datagouv" in bad_dialect["detail_fr"] and "excel-fr" in bad_dialect["detail_fr"]
    out_of_range = api.get(ELIGIBILITY, params={"lon": "200", "lat": "48"}).json()
    assert "au plus 180" in out_of_range["detail_fr"]


def test_batch_upload_answers_for_a_french_excel(api: TestClient):
    text = "id,lon,lat\nbobigny,2.4397,48.9086\nnantes,-1.5,47.2\n"
    response = api.post(
        BATCH,
        files={"file": ("s.csv", text.encode())},
        data={"date": "01/01/2013", "dialect": "excel-fr"},
    )
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [(r["eligible"], r["lon"]) for r in rows] == [("oui", "2,4397"), ("non", "-1,5")]
    refused = api.post(BATCH, files={"file": ("s.csv", text.encode())}, data={"dialect": "x"})
    assert _field(refused) == "dialect" and "excel-fr" in refused.json()["detail_fr"]


def _relocation(**overrides) -> dict:
    body = {
        "profession": "medecin",
        "current_site": BOBIGNY,
        "new_site": COURNEUVE,
        "change_date": "2015-06-01",
        "engagement_end": "2020-06-30",
    }
    return body | overrides


def test_relocation_decision_is_stored_and_fetched_back(api: TestClient, cng: dict):
    response = api.post("/api/v1/relocations/validate", json=_relocation(), headers=cng)
    assert response.status_code == 200, response.text
    allowed = response.json()
    assert (allowed["decision"], allowed["authority"], allowed["authority_region"]) == (
        "allowed",
        "ARS",
        "11",
    )
    assert [d["reference"] for d in allowed["decrees"]] == ["12-209"]
    assert allowed["new_site"]["commune"]["code"] == "93027"

    refused = api.post(
        "/api/v1/relocations/validate",
        json=_relocation(new_site=PARIS_CENTRE, engagement_end="2015-01-01"),
        headers=cng,
    ).json()
    assert refused["decision"] == "refused"
    assert {r["code"] for r in refused["reasons"]} == {
        "after_engagement_end",
        "new_site_not_eligible",
    }
    for decision in (allowed, refused):
        fetched = api.get(f"/api/v1/relocations/{decision['id']}", headers=cng)
        assert fetched.status_code == 200
        assert fetched.json() == decision


def test_relocation_errors(api: TestClient, cng: dict):
    missing = api.get("/api/v1/relocations/00000000-0000-0000-0000-000000000000", headers=cng)
    assert missing.status_code == 404
    bad_site = api.post(
        "/api/v1/relocations/validate",
        json=_relocation(new_site={"lon": 2.4}),
        headers=cng,
    )
    assert _field(bad_site) == "new_site.lat"
    outside = api.post(
        "/api/v1/relocations/validate",
        json=_relocation(current_site={"lon": -5.0, "lat": 46.0}),
        headers=cng,
    )
    assert _field(outside) == "current_site"


@pytest.mark.parametrize("where", ["batch", "relocation"])
def test_insee_not_a_commune_at_the_date_names_the_site(api: TestClient, cng: dict, where: str):
    merged = {"insee": "93059"}  # Pierrefitte-sur-Seine, part of Saint-Denis since 2025
    if where == "batch":
        response = api.post(BATCH, json={"date": "2026-01-01", "sites": [BOBIGNY, merged]})
        expected = "sites.1.insee"
    else:
        body = _relocation(new_site=merged, change_date="2026-01-01", engagement_end="2030-01-01")
        response = api.post("/api/v1/relocations/validate", json=body, headers=cng)
        expected = "new_site.insee"
    assert _field(response) == expected

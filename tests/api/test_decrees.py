"""``/api/v1/decrees`` and ``/api/v1/zones`` through HTTP, on a scratch database."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import sqlalchemy as sa

from fastapi.testclient import TestClient

from cesp.api.app import create_app
from cesp.audit import Actor
from cesp.keys import create_key
from cesp.storage.engine import write_transaction
from cesp.storage.settings import Settings
from tests.zones.helpers import (
    EMPTY,
    communes,
    counts,
    zipped_shapefile,
)

FORM = {
    "region": "11",
    "reference": "12-209",
    "signed": "2012-05-24",
    "effective_from": "2012-05-24",
    "profession": "medecin",
}
CODES = b"code_insee;nom_zone\n93027;La Courneuve\n93001;Aubervilliers\n"
NEWER = {**FORM, "reference": "17-1000", "signed": "2017-12-15", "effective_from": "2018-01-01"}
NEWER_CODES = b"code_insee;nom_zone;categorie\n93027;La Courneuve;ZIP\n93008;Bobigny;ZV\n"


@pytest.fixture
def api(engine: sa.Engine, scratch_url: str, data_dir: Path) -> Iterator[TestClient]:
    """A client holding the API key of the ARS of Île-de-France."""
    with write_transaction(engine) as conn:
        _, token = create_key(conn, "ARS IDF", "ars", "11", Actor("test", "admin"))
    settings = Settings(database_url=scratch_url, data_dir=data_dir)
    with TestClient(create_app(settings)) as test_client:
        test_client.headers["Authorization"] = f"Bearer {token}"
        yield test_client


def _post(api: TestClient, content: bytes, name: str = "zonage.csv", **form: str):
    return api.post("/api/v1/decrees", files={"file": (name, content)}, data={**FORM, **form})


def test_dry_run_import_and_unchanged(api: TestClient, engine: sa.Engine):
    preview = _post(api, CODES, dry_run="true")
    assert preview.status_code == 200
    body = preview.json()
    assert body["status"] == "preview" and body["decree"] is None
    assert body["format"] == "csv" and body["encoding"] == "UTF-8"
    assert body["communes"] == 2 and body["population"] == 47167 + 88365
    assert [c["code"] for c in body["diff"]["entering"]] == ["93001", "93027"]
    assert counts(engine) == EMPTY

    created = _post(api, CODES)
    assert created.status_code == 201
    decree = created.json()["decree"]
    assert created.json()["status"] == "imported" and decree["status"] == "draft"
    assert decree["source_filename"] == "zonage.csv" and decree["imported_by"] == "ARS IDF"
    assert counts(engine) == {"decrees": 1, "zones": 2, "zone_communes": 2}

    again = _post(api, CODES, publish="true")
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    assert again.json()["decree"]["id"] == decree["id"]
    assert counts(engine) == {"decrees": 1, "zones": 2, "zone_communes": 2}


def test_windows_shapefile_upload(api: TestClient, data_dir: Path, tmp_path: Path):
    frame = communes(data_dir, "93-seine-saint-denis.geojson", ["93031"]).to_crs(2154)
    frame["nom_zone"] = ["Zone prioritaire Épinay"]
    path = zipped_shapefile(
        frame[["nom_zone", "geometry"]], tmp_path / "z.zip", encoding="cp1252", drop=(".cpg",)
    )
    answer = _post(api, path.read_bytes(), name="zonage.zip", publish="true")
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["status"] == "published" and body["format"] == "shapefile"
    assert body["encoding"] == "CP1252" and body["crs"] == "EPSG:2154"
    assert [z["name"] for z in body["zones"]] == ["Zone prioritaire Épinay"]


def test_bad_file_lists_its_problems(api: TestClient, engine: sa.Engine):
    answer = _post(api, b"code_insee\n93027\n99999\n2A004\n")
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "validation_failed" and body["field"] == "file"
    assert [(p["row"], p["field"]) for p in body["problems"]] == [(3, "code"), (4, "code")]
    assert "99999" in body["problems"][0]["detail"]
    assert "ligne 3" in body["detail_fr"]
    assert counts(engine) == EMPTY


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"region": None}, "region"),
        ({"signed": None}, "signed"),
        ({"signed": "2012-13-45"}, "signed"),
        ({"effective_from": "05/24/2012"}, "effective_from"),  # month first: never French
        ({"effective_from": "24/05/12"}, "effective_from"),
        ({"dry_run": "peut-être"}, "dry_run"),
        ({"region": "99"}, "region"),
        ({"effective_from": "2012-01-01"}, "effective_from"),
        ({"profession": "infirmier"}, "profession"),
    ],
)
def test_bad_form_field_is_named(api: TestClient, engine: sa.Engine, change, field):
    form = {k: v for k, v in {**FORM, **change}.items() if v is not None}
    answer = api.post("/api/v1/decrees", files={"file": ("z.csv", CODES)}, data=form)
    # The ARS key of region 11 may not write for another region: refused before validation.
    assert answer.status_code == (403 if change == {"region": "99"} else 422)
    assert answer.json()["field"] == field
    assert counts(engine) == EMPTY


def test_import_form_dates_may_be_written_jj_mm_aaaa(api: TestClient, engine: sa.Engine):
    """An ARS officer types the decree's dates as they are printed on it."""
    answer = _post(api, CODES, signed="24/05/2012", effective_from="24/05/2012")
    assert answer.status_code == 201, answer.text
    decree = answer.json()["decree"]
    assert (decree["signed"], decree["effective_from"]) == ("2012-05-24", "2012-05-24")
    bad = _post(api, CODES, signed="31/02/2012")
    assert bad.status_code == 422 and bad.json()["field"] == "signed"
    assert "JJ/MM/AAAA" in bad.json()["detail_fr"] and "31/02/2012" in bad.json()["detail_fr"]
    assert counts(engine)["decrees"] == 1


def test_missing_file_is_named(api: TestClient):
    answer = api.post("/api/v1/decrees", data=FORM)
    assert answer.status_code == 422 and answer.json()["field"] == "file"


def test_geopackage_layer_through_the_form(api: TestClient, data_dir: Path, tmp_path: Path):
    frame = communes(data_dir, "93-seine-saint-denis.geojson", ["93008", "93006"])
    path = tmp_path / "z.gpkg"
    pyogrio.write_dataframe(frame.iloc[:1], path, layer="zonage")
    pyogrio.write_dataframe(frame.iloc[1:], path, layer="projet", append=True)
    refused = _post(api, path.read_bytes(), name="z.gpkg")
    assert refused.status_code == 422 and refused.json()["field"] == "layer"
    assert "zonage, projet" in refused.json()["detail"]
    accepted = _post(api, path.read_bytes(), name="z.gpkg", layer="projet")
    assert accepted.status_code == 201 and accepted.json()["format"] == "gpkg"


def test_list_read_and_publish_decrees(api: TestClient):
    first = _post(api, CODES, publish="true").json()["decree"]
    second = api.post("/api/v1/decrees", files={"file": ("b.csv", NEWER_CODES)}, data=NEWER).json()[
        "decree"
    ]
    assert second["status"] == "draft"

    def references(**params: str) -> list[str]:
        answer = api.get("/api/v1/decrees", params=params)
        assert answer.status_code == 200
        return [d["reference"] for d in answer.json()]

    assert references() == ["12-209", "17-1000"]
    assert references(status="draft") == ["17-1000"]
    assert references(date="2019-01-01") == ["12-209"]  # the draft is not in force
    assert references(region="84") == []
    assert references(profession="chirurgien-dentiste") == []
    assert references(profession="MÉDECIN") == ["12-209", "17-1000"]  # case, accents
    assert references(date="31/12/2017") == ["12-209"]  # jj/mm/aaaa

    detail = api.get(f"/api/v1/decrees/{first['id']}").json()
    assert {z["name"]: z["communes"] for z in detail["zones"]} == {
        "Aubervilliers": 1,
        "La Courneuve": 1,
    }
    missing = api.get("/api/v1/decrees/9999")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"

    published = api.post(f"/api/v1/decrees/{second['id']}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    old = api.get(f"/api/v1/decrees/{first['id']}").json()
    assert old["status"] == "superseded" and old["effective_to"] == "2017-12-31"
    assert old["superseded_by"] == second["id"]
    assert references(date="2017-12-31") == ["12-209"]
    assert references(date="2018-01-01") == ["17-1000"]
    assert references(status="superseded") == ["12-209"]

    twice = api.post(f"/api/v1/decrees/{second['id']}/publish")
    assert twice.status_code == 422 and twice.json()["field"] == "status"
    assert api.post("/api/v1/decrees/9999/publish").status_code == 404
    bad = api.get("/api/v1/decrees", params={"status": "archived"})
    assert bad.status_code == 422 and bad.json()["field"] == "status"


def test_zones_in_force_as_geojson(api: TestClient):
    _post(api, CODES, publish="true")
    api.post(
        "/api/v1/decrees", files={"file": ("b.csv", NEWER_CODES)}, data=NEWER | {"publish": "true"}
    )

    answer = api.get("/api/v1/zones", params={"date": "2015-06-01"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/geo+json")
    body = answer.json()
    assert body["type"] == "FeatureCollection" and body["date"] == "2015-06-01"
    assert sorted(f["properties"]["name"] for f in body["features"]) == [
        "Aubervilliers",
        "La Courneuve",
    ]
    feature = body["features"][0]
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert feature["properties"]["decree_reference"] == "12-209"
    assert feature["properties"]["qualifies_for_cesp"] is True
    assert feature["properties"]["effective_to"] == "2017-12-31"

    later = api.get("/api/v1/zones", params={"date": "2018-01-01", "region": "11"}).json()
    labels = {f["properties"]["name"]: f["properties"] for f in later["features"]}
    assert set(labels) == {"La Courneuve", "Bobigny"}
    assert labels["Bobigny"]["category_label"] == "Zone de vigilance"
    assert labels["Bobigny"]["qualifies_for_cesp"] is False

    before = api.get("/api/v1/zones", params={"date": "2012-05-23"}).json()
    assert before["features"] == []
    assert api.get("/api/v1/zones", params={"date": "hier"}).json()["field"] == "date"
    assert api.get("/api/v1/zones", params={"profession": "kine"}).status_code == 422


def test_eligible_communes_in_every_format(api: TestClient):
    _post(api, CODES, publish="true")
    params = {"region": "11", "date": "2013-01-01"}

    listing = api.get("/api/v1/zones/communes", params=params).json()
    assert [c["code"] for c in listing["communes"]] == ["93001", "93027"]
    assert listing["communes"][0]["category_label"] == "Zone déficitaire"

    as_csv = api.get("/api/v1/zones/communes", params={**params, "format": "csv"})
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "communes-eligibles-11-2013-01-01.csv" in as_csv.headers["content-disposition"]
    assert as_csv.content.startswith(b"insee_com,nom,zone_id,nom_zone,")  # data.gouv.fr
    assert "93027,La Courneuve," in as_csv.content.decode("utf-8")

    french = api.get(
        "/api/v1/zones/communes", params={**params, "format": "csv", "dialect": "excel-fr"}
    )
    assert french.content.startswith(b"\xef\xbb\xbfinsee_com;nom;zone_id;nom_zone;")
    rows = list(csv.DictReader(io.StringIO(french.content.decode("utf-8-sig")), delimiter=";"))
    assert [r["insee_com"] for r in rows] == ["93001", "93027"]
    assert rows[0]["approx"] == "non" and "." not in rows[0]["couverture"]

    types = api.get("/api/v1/zones/communes", params={**params, "format": "csvt"})
    assert "communes-eligibles-11-2013-01-01.csvt" in types.headers["content-disposition"]
    assert types.text.startswith('"String","String","Integer","String"')
    bundle = api.get("/api/v1/zones/communes", params={**params, "format": "zip"})
    assert bundle.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        assert sorted(archive.namelist()) == [
            "communes-eligibles-11-2013-01-01.csv",
            "communes-eligibles-11-2013-01-01.csvt",
        ]
        assert archive.read("communes-eligibles-11-2013-01-01.csv") == as_csv.content
        assert archive.read("communes-eligibles-11-2013-01-01.csvt") == types.content

    as_xlsx = api.get("/api/v1/zones/communes", params={**params, "format": "xlsx"})
    assert as_xlsx.status_code == 200
    assert "spreadsheetml" in as_xlsx.headers["content-type"]
    frame = pd.read_excel(io.BytesIO(as_xlsx.content), dtype=str)
    assert list(frame["insee_com"]) == ["93001", "93027"]

    empty = api.get("/api/v1/zones/communes", params={"region": "11", "date": "2010-01-01"})
    assert empty.json()["communes"] == []
    assert api.get("/api/v1/zones/communes").json()["field"] == "region"
    wrong = api.get("/api/v1/zones/communes", params={**params, "format": "pdf"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "format"

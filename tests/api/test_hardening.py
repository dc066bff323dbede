"""Hostile inputs get a 4xx naming what is wrong, never a 500; control characters are
refused before they are stored; HTML pages carry a strict policy; refused writes are
audited; an intern acting for someone else gets 403 (issue 20)."""

# ruff: noqa: F811  (the fixtures of test_posts, imported, are redefined as parameters)
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from fastapi.testclient import TestClient

from cesp.api.app import create_app
from cesp.audit import list_entries
from cesp.storage.settings import Settings
from tests.api.test_posts import api, bearer, propose, world  # noqa: F401 (fixtures)

FORM = {
    "region": "11",
    "reference": "H-1",
    "signed": "2012-05-24",
    "effective_from": "2012-05-24",
    "profession": "medecin",
    "dry_run": "true",
}


def _bad_crc_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for part in ("shp", "shx", "dbf"):
            archive.writestr(f"zones.{part}", part.encode() * 100)
    data = bytearray(buffer.getvalue())
    data[data.find(b"shpshp")] = ord("X")  # the stored bytes no longer match their CRC-32
    return bytes(data)


UPLOADS = {
    "zip with a bad CRC": ("zones.zip", _bad_crc_zip(), "damaged"),
    "file that only looks like SQLite": (
        "zones.gpkg",
        b"SQLite format 3\x00" + b"\x01" * 4000,
        "GeoPackage",
    ),
    "CSV whose first line looks like JSON": (
        "zones.csv",
        b'{"note": "export"}\ncode_insee\n93008\n',
        "no geometry",
    ),
    "decree of one million columns": ("zones.csv", b"code_insee" + b";c" * 1_000_000, "columns"),
}


def _no_500(answer: Any) -> dict[str, Any]:
    assert answer.status_code < 500, answer.text
    assert answer.status_code >= 400, answer.text
    body = answer.json()
    assert body["detail"] and body["detail_fr"], body
    assert "/tmp" not in answer.text and "/work" not in answer.text, answer.text
    return body


@pytest.mark.parametrize("case", sorted(UPLOADS))
def test_a_hostile_decree_file_gets_a_4xx_without_server_path(
    api: TestClient, world: dict[str, Any], case: str
) -> None:
    name, content, expected = UPLOADS[case]
    answer = api.post(
        "/api/v1/decrees",
        data=FORM,
        files={"file": (name, content)},
        headers=bearer(world, "cng"),
    )
    body = _no_500(answer)
    assert expected in body["detail"], body


JSON_BODIES = {
    "deeply nested JSON": b"[" * 100_000,
    "a number of 5,000 digits": b'{"sites": [{"lon": ' + b"9" * 5000 + b', "lat": 48.8}]}',
}


@pytest.mark.parametrize("case", sorted(JSON_BODIES))
@pytest.mark.parametrize("route", ["/api/v1/eligibility/batch", "/api/v1/posts"])
def test_a_json_bomb_gets_a_4xx(
    api: TestClient, world: dict[str, Any], case: str, route: str
) -> None:
    answer = api.post(
        route,
        content=JSON_BODIES[case],
        headers={"content-type": "application/json", **bearer(world, "ars-11")},
    )
    _no_500(answer)


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/audit", {"offset": 2**63}, "offset"),
        ("/api/v1/posts", {"offset": 2**64}, "offset"),
        (f"/api/v1/decrees/{2**63}", {}, "decree_id"),
        (f"/api/v1/campaigns/{2**63}", {}, "campaign_id"),
        ("/ogc/collections/communes/items", {"offset": 2**63}, None),
    ],
)
def test_numbers_past_two_to_the_63_get_a_4xx(
    api: TestClient, world: dict[str, Any], path: str, params: dict, field: str | None
) -> None:
    answer = api.get(path, params=params, headers=bearer(world, "cng"))
    assert 400 <= answer.status_code < 500, answer.text
    if field:
        assert answer.json()["field"] == field


@pytest.mark.parametrize("on", ["0999-01-01", "0001-01-01"])
@pytest.mark.parametrize(
    "path",
    ["/api/v1/eligibility?lon=2.35&lat=48.85", "/api/v1/zones?x=1", "/api/v1/posts?x=1"],
)
def test_years_before_1000_never_answer_500(api: TestClient, on: str, path: str) -> None:
    assert api.get(f"{path}&date={on}").status_code < 500


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/posts?specialty=a%00b", "specialty"),
        ("/api/v1/communes?q=Pa%00ris", "q"),
        ("/api/v1/decrees?profession=medecin%01", "profession"),
        ("/api/v1/communes/750%0056", "code"),
    ],
)
def test_a_control_character_in_a_parameter_is_refused_naming_it(
    api: TestClient, path: str, field: str
) -> None:
    answer = api.get(path)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field


def test_a_post_with_a_nul_in_its_structure_is_refused_and_exports_stay_readable(
    api: TestClient, world: dict[str, Any], engine: sa.Engine
) -> None:
    answer = propose(api, world, engine, "93027", "NUL-1", structure="Centre\x00 X")
    assert answer.status_code == 422 and answer.json()["field"] == "structure", answer.text
    assert "U+0000" in answer.json()["detail"]
    fine = propose(api, world, engine, "93027", "OK-1")
    assert fine.status_code == 201
    # A row stored before the check existed: the export strips it instead of failing.
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE posts SET structure = :s WHERE id = :i"),
            {"s": "Centre\x0b de santé", "i": fine.json()["id"]},
        )
    export = api.get("/api/v1/posts/export", params={"format": "xlsx"})
    assert export.status_code == 200
    cells = [c for row in load_workbook(io.BytesIO(export.content)).active.values for c in row]
    assert "Centre de santé" in cells


def test_a_zone_name_with_a_control_character_is_refused_at_its_row(
    api: TestClient, world: dict[str, Any]
) -> None:
    answer = api.post(
        "/api/v1/decrees",
        data=FORM,
        files={"file": ("z.csv", b"code_insee;nom_zone\n93008;Bobi\x0cgny\n")},
        headers=bearer(world, "cng"),
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["problems"][0]["field"] == "name"
    assert answer.json()["problems"][0]["row"] == 2


def test_listed_on_is_set_by_the_server(
    api: TestClient, world: dict[str, Any], engine: sa.Engine
) -> None:
    back_dated = propose(api, world, engine, "75056", "OLD-1", listed_on="2019-01-01")
    assert back_dated.status_code == 422 and back_dated.json()["field"] == "listed_on"


def test_an_intern_acting_for_someone_else_gets_403_and_the_refusal_is_audited(
    api: TestClient, world: dict[str, Any], engine: sa.Engine
) -> None:
    other = world["people"][1]
    answer = api.post(
        f"/api/v1/campaigns/{world['campaign']}/choices",
        json={"pass": True, "beneficiary_id": other},
        headers=bearer(world, "interne-1"),
    )
    assert answer.status_code == 403, answer.text
    with engine.connect() as conn:
        refused = list_entries(conn, action="access.refused")
    assert refused and refused[0].actor == "interne-1"
    assert "choices" in (refused[0].object_id or "")


def test_an_anonymous_write_refused_with_401_is_audited(api: TestClient, engine: sa.Engine) -> None:
    answer = api.post("/api/v1/decrees", data=FORM, files={"file": ("z.csv", b"code_insee\n")})
    assert answer.status_code in (401, 403), answer.text
    with engine.connect() as conn:
        refused = list_entries(conn, action="access.refused")
    assert refused and refused[0].actor == "anonymous"


def test_html_pages_carry_a_strict_policy_and_json_answers_nosniff(api: TestClient) -> None:
    page = api.get("/map")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "'sha256-" in policy  # folium's inline set-up script, admitted by its hash
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-frame-options"] == "DENY"
    answer = api.get("/api/v1/decrees")
    assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.fixture
def small_limits(engine: sa.Engine, scratch_url: str, data_dir: Path) -> Iterator[TestClient]:
    settings = Settings(
        database_url=scratch_url,
        data_dir=data_dir,
        rate_limit_per_minute=0,
        body_limit_anonymous_kb=4,
        body_limit_default_kb=8,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_an_anonymous_body_over_its_limit_is_refused_with_413_before_parsing(
    small_limits: TestClient,
) -> None:
    answer = small_limits.post(
        "/api/v1/eligibility/batch",
        content=b'{"sites": [' + b'{"lon": 2.3, "lat": 48.8},' * 400 + b"]}",
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 413
    body = answer.json()
    assert body["field"] == "body" and body["limit_bytes"] == 4096
    assert "sans clé" in body["detail_fr"] and "without an API key" in body["detail"]
    assert answer.headers["x-request-id"]


def test_a_streamed_body_is_counted(small_limits: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"x" * 1024

    answer = small_limits.post(
        "/api/v1/eligibility/batch", content=chunks(), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413, answer.text


def test_a_bogus_key_does_not_raise_the_anonymous_limit(small_limits: TestClient) -> None:
    answer = small_limits.post(
        "/api/v1/decrees",
        files={"file": ("z.csv", b"code_insee\n" + b"93008\n" * 2000)},
        data=FORM,
        headers={"Authorization": "Bearer not-a-key"},
    )
    assert answer.status_code == 413

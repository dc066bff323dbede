"""Conditional GETs (ETag, 304) and gzip on zone and decree answers, through HTTP."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from fastapi.testclient import TestClient

from cesp.api.app import create_app
from cesp.api.caching import matches, zoning_etag
from cesp.audit import Actor
from cesp.keys import create_key
from cesp.storage.engine import write_transaction
from cesp.storage.settings import Settings
from tests.zones.helpers import DECREE_2012, publish_codes

ZONES = "/api/v1/zones"
ZONES_2013 = {"region": "11", "date": "2013-01-01"}
FORM = {
    "region": "11",
    "reference": "13-001",
    "signed": "2012-12-01",
    "effective_from": "2013-01-01",
    "profession": "medecin",
}


@pytest.fixture
def api(engine: sa.Engine, scratch_url: str, data_dir: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=scratch_url, data_dir=data_dir, rate_limit_per_minute=0)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def ars_key(engine: sa.Engine) -> dict[str, str]:
    with write_transaction(engine) as conn:
        _, token = create_key(conn, "ARS IDF", "ars", "11", Actor("test", "admin"))
    return {"Authorization": f"Bearer {token}"}


def _names(answer) -> set[str]:
    return {f["properties"]["name"] for f in answer.json()["features"]}


def test_zones_are_revalidated_until_a_decree_is_published(
    api: TestClient, engine: sa.Engine, tmp_path: Path, ars_key: dict[str, str]
) -> None:
    publish_codes(engine, tmp_path / "2012.csv")
    first = api.get(ZONES, params=ZONES_2013)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    assert first.headers["cache-control"] == "public, no-cache"
    assert "La Courneuve" in _names(first)

    again = api.get(ZONES, params=ZONES_2013, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag

    other_date = api.get(ZONES, params={**ZONES_2013, "date": "2012-06-01"})
    assert other_date.headers["etag"] != etag, "another query is another answer"

    published = api.post(
        "/api/v1/decrees",
        files={"file": ("z.csv", b"code_insee;nom_zone\n93070;Saint-Ouen\n")},
        data={**FORM, "publish": "true"},
        headers=ars_key,
    )
    assert published.status_code == 201, published.text
    after = api.get(ZONES, params=ZONES_2013, headers={"If-None-Match": etag})
    assert after.status_code == 200, "the old ETag no longer matches after a publication"
    assert after.headers["etag"] != etag
    assert _names(after) == {"Saint-Ouen"}


def test_draft_import_changes_the_decree_list_tag(
    api: TestClient, engine: sa.Engine, tmp_path: Path, ars_key: dict[str, str]
) -> None:
    publish_codes(engine, tmp_path / "2012.csv")
    listed = api.get("/api/v1/decrees")
    etag = listed.headers["etag"]
    assert api.get("/api/v1/decrees", headers={"If-None-Match": etag}).status_code == 304
    one = api.get(f"/api/v1/decrees/{listed.json()[0]['id']}")
    assert one.status_code == 200 and one.headers["cache-control"] == "public, no-cache"

    draft = api.post(
        "/api/v1/decrees",
        files={"file": ("z.csv", b"code_insee;nom_zone\n93070;Saint-Ouen\n")},
        data=FORM,
        headers=ars_key,
    )
    assert draft.status_code == 201, draft.text
    relisted = api.get("/api/v1/decrees", headers={"If-None-Match": etag})
    assert relisted.status_code == 200, "a new draft is a new list"
    assert {d["reference"] for d in relisted.json()} == {"12-209", "13-001"}


def test_eligible_communes_formats_have_their_own_tags(
    api: TestClient, engine: sa.Engine, tmp_path: Path
) -> None:
    publish_codes(engine, tmp_path / "2012.csv", DECREE_2012)
    tags = {
        fmt: api.get("/api/v1/zones/communes", params={**ZONES_2013, "format": fmt})
        for fmt in ("json", "csv", "xlsx")
    }
    assert all(a.status_code == 200 for a in tags.values())
    assert len({a.headers["etag"] for a in tags.values()}) == 3
    csv_tag = tags["csv"].headers["etag"]
    fresh = api.get(
        "/api/v1/zones/communes",
        params={**ZONES_2013, "format": "csv"},
        headers={"If-None-Match": f'"other", {csv_tag}'},
    )
    assert fresh.status_code == 304


def test_large_answers_are_gzipped_small_ones_are_not(
    api: TestClient, engine: sa.Engine, tmp_path: Path
) -> None:
    publish_codes(engine, tmp_path / "2012.csv")
    zipped = api.get(ZONES, params=ZONES_2013, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in zipped.headers["vary"].lower()
    raw = api.get(ZONES, params=ZONES_2013, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert raw.json() == zipped.json()
    assert int(zipped.headers["content-length"]) < len(raw.content) / 2
    assert zipped.headers["etag"] == raw.headers["etag"], "weak tag: same answer, any coding"

    small = api.get("/api/v1/communes/93027", headers={"Accept-Encoding": "gzip"})
    assert small.status_code == 200
    assert "content-encoding" not in small.headers


def test_gzip_body_is_a_real_gzip_stream(api: TestClient, engine: sa.Engine, tmp_path: Path):
    publish_codes(engine, tmp_path / "2012.csv")
    with api.stream("GET", ZONES, params=ZONES_2013, headers={"Accept-Encoding": "gzip"}) as s:
        body = b"".join(s.iter_raw())
    assert body[:2] == b"\x1f\x8b"
    assert b'"FeatureCollection"' in gzip.decompress(body)


def test_etag_is_a_pure_function_of_state_path_and_query() -> None:
    today = date(2026, 6, 1)
    tag = zoning_etag("3.7", "/api/v1/zones", [("region", "11"), ("date", "2013-01-01")], today)
    same = zoning_etag("3.7", "/api/v1/zones", [("date", "2013-01-01"), ("region", "11")], today)
    assert tag == same, "query order does not matter"
    assert zoning_etag("4.7", "/api/v1/zones", [("region", "11")], today) != zoning_etag(
        "3.7", "/api/v1/zones", [("region", "11")], today
    )
    assert zoning_etag("3.7", "/x", [], today) != zoning_etag("3.7", "/x", [], date(2026, 6, 2))
    assert matches("*", tag)
    assert matches(tag.removeprefix("W/"), tag)
    assert not matches('W/"nope"', tag)
    assert not matches(None, tag)

"""``/map`` pages, their layer data and their assets, through the application."""

import json
import re
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from fastapi.testclient import TestClient

from cesp.maps.assets import SCRIPTS, STYLES
from cesp.zones.importer import import_decree
from tests.zones.helpers import publish_codes, request

LOCAL_URL = re.compile(r'(?:src|href)="([^"]*)"')


def _config(html: str) -> dict:
    """The data our page script receives (third argument of CespMap.start)."""
    start = html.index("CespMap.start(")
    body = html[start:]
    first = body.index("}, {") + 3
    depth, end = 0, first
    for i, char in enumerate(body[first:], first):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            end = i + 1
            break
    return json.loads(body[first:end])


def test_map_page_loads_only_our_own_assets(map_client: TestClient) -> None:
    response = map_client.get("/map", params={"region": "11"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="fr">' in html and 'name="viewport"' in html
    assert "<title>Zones déficitaires CESP – Île-de-France</title>" in html
    urls = LOCAL_URL.findall(html)
    assert {u for u in urls if not u.startswith("data:")} == {a.url() for a in (*SCRIPTS, *STYLES)}
    for url in urls:
        if not url.startswith("data:"):
            assert map_client.get(url).status_code == 200, url
    assert "cdn" not in html.lower() and "https://" not in html
    config = _config(html)
    assert {f["properties"]["name"] for f in config["zones"]["features"]} >= {"Bobigny"}
    assert config["region"] == "11" and config["mode"] == "served"


def test_map_parameters_are_checked(map_client: TestClient) -> None:
    unknown = map_client.get("/map", params={"region": "84"})
    assert unknown.status_code == 404 and unknown.json()["field"] == "region"
    malformed = map_client.get("/map", params={"region": "1x"})
    assert malformed.status_code == 422 and malformed.json()["field"] == "region"
    profession = map_client.get("/map", params={"profession": "sorcier"})
    assert profession.status_code == 422 and profession.json()["field"] == "profession"
    config = _config(
        map_client.get(
            "/map", params={"date": "2011-06-01", "specialty": "pédiatrie", "campaign": 3}
        ).text
    )
    assert config["zones"]["features"] == [] and config["region"] is None
    assert config["specialty"] == "pédiatrie" and config["campaign"] == 3


def test_assets_are_served_and_nothing_else(map_client: TestClient) -> None:
    leaflet = map_client.get("/map/assets/leaflet/leaflet.js")
    assert leaflet.status_code == 200 and "Leaflet 1.9" in leaflet.text[:200]
    assert map_client.get("/map/assets/leaflet/images/layers.png").status_code == 200
    assert map_client.get("/map/assets/cesp/map-core.js").status_code == 200
    assert map_client.get("/map/assets/cesp/../../errors.py").status_code == 404
    assert map_client.get("/map/assets/cesp/nothing.js").status_code == 404


def test_zone_layer_at_another_date_and_zoom(map_client: TestClient) -> None:
    before = map_client.get("/map/data/zones", params={"date": "2011-01-01", "region": "11"})
    after = map_client.get("/map/data/zones", params={"date": "2013-01-01", "zoom": 12})
    assert before.status_code == after.status_code == 200
    assert before.headers["content-type"] == "application/geo+json"
    assert before.json()["features"] == []
    assert len(after.json()["features"]) == 5 and after.json()["zoom"] == 12
    bad = map_client.get("/map/data/zones", params={"bbox": "2,49,1,48"})
    assert bad.status_code == 422 and bad.json()["field"] == "bbox"


def test_commune_layer_by_box(map_client: TestClient) -> None:
    answer = map_client.get(
        "/map/data/communes", params={"bbox": "2.35,48.88,2.47,48.95", "zoom": 12}
    )
    assert answer.status_code == 200
    assert "Bobigny" in {f["properties"]["name"] for f in answer.json()["features"]}
    low = map_client.get("/map/data/communes", params={"bbox": "2.35,48.88,2.47,48.95", "zoom": 5})
    assert low.status_code == 422 and low.json()["field"] == "zoom"


def test_preview_of_a_draft_shows_zones_entering_and_leaving(
    map_client: TestClient, map_engine: sa.Engine, tmp_path: Path
) -> None:
    draft_file = tmp_path / "draft.csv"
    draft_file.write_text("code_insee;nom_zone\n93008;Bobigny\n93029;Drancy\n", encoding="utf-8")
    report = import_decree(
        map_engine,
        draft_file,
        request(reference="13-001", signed=date(2013, 1, 10), effective_from=date(2013, 2, 1)),
        actor="test",
    )
    assert report.decree is not None and report.decree.status == "draft"
    page = map_client.get("/map/preview", params={"decree": report.decree.id})
    assert page.status_code == 200
    preview = _config(page.text)["preview"]
    summary = preview["summary"]
    assert (summary["entering"], summary["leaving"], summary["kept"]) == (1, 4, 1)
    assert "12-209" in summary["compared"] and "projet" in summary["title"]
    assert "Drancy (93029)" in preview["entering"]["features"][0]["properties"]["communes"]
    assert "La Courneuve (93027)" in preview["leaving"]["features"][0]["properties"]["communes"]
    missing = map_client.get("/map/preview", params={"decree": 999})
    assert missing.status_code == 404


def test_map_pages_are_revalidated_until_a_decree_changes_the_zoning(
    map_client: TestClient, map_engine: sa.Engine, tmp_path: Path
) -> None:
    first = map_client.get("/map", params={"region": "11"})
    etag = first.headers["etag"]
    again = map_client.get("/map", params={"region": "11"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag
    layer = map_client.get("/map/data/zones", params={"zoom": 11})
    assert (
        map_client.get(
            "/map/data/zones", params={"zoom": 11}, headers={"If-None-Match": layer.headers["etag"]}
        ).status_code
        == 304
    )
    publish_codes(
        map_engine,
        tmp_path / "courneuve.csv",
        "code_insee;nom_zone\n93027;La Courneuve\n",
        reference="20-1",
        signed=date(2020, 1, 1),
        effective_from=date(2020, 1, 1),
        category="ZIP",
    )
    changed = map_client.get("/map", params={"region": "11"}, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    names = {f["properties"]["name"] for f in _config(changed.text)["zones"]["features"]}
    assert "Bobigny" not in names


def test_zone_names_are_written_as_text_not_run_as_templates(
    map_client: TestClient, map_engine: sa.Engine, tmp_path: Path
) -> None:
    """A name holding template syntax reaches the page as typed (the page's start call
    used to be re-read as a jinja template, which ran ``{{ }}`` and broke on ``{%``)."""
    publish_codes(
        map_engine,
        tmp_path / "braces.csv",
        "code_insee;nom_zone\n93027;Zone {{ 7 * 7 }} {% raw %}\n",
        reference="20-2",
        signed=date(2020, 1, 1),
        effective_from=date(2020, 1, 1),
        category="ZIP",
    )
    page = map_client.get("/map", params={"region": "11"})
    assert page.status_code == 200
    names = {f["properties"]["name"] for f in _config(page.text)["zones"]["features"]}
    assert "Zone {{ 7 * 7 }} {% raw %}" in names

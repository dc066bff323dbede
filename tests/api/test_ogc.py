"""``/ogc``: OGC API - Features Part 1 and Part 2 through HTTP, on a database with the
petite couronne, decree 12-209 (2012), the drawn decree 17-1000 (2018) and a draft."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from openapi_spec_validator import validate
from shapely.geometry import box, shape

from fastapi.testclient import TestClient

from cesp.api.app import create_app
from cesp.field_schema import COMMUNE_FIELDS, POST_FIELDS, ZONE_FIELDS
from cesp.geo.crs import LAMBERT93, WGS84, reproject, transformer
from cesp.storage.settings import Settings
from cesp.zones.decrees import Decree

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
L93 = "http://www.opengis.net/def/crs/EPSG/0/2154"
EPSG4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
ZONES = "/ogc/collections/zones/items"
COMMUNES = "/ogc/collections/communes/items"


@pytest.fixture(scope="module")
def api(zoned: tuple[str, Decree, Decree], data_dir: Path) -> Iterator[TestClient]:
    settings = Settings(
        database_url=zoned[0], data_dir=data_dir, index_warmup=False, rate_limit_per_minute=0
    )
    with TestClient(create_app(settings)) as client:
        yield client


def _rels(body: dict) -> dict[str, dict]:
    return {link["rel"]: link for link in body["links"]}


def _path(href: str) -> str:
    parts = urlsplit(href)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _bad(response, field: str, status: int = 400) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["field"] == field
    assert body["code"] and body["description"] and body["detail_fr"]
    return body


def test_landing_page_links_the_api_conformance_and_collections(api: TestClient):
    body = api.get("/ogc").json()
    rels = _rels(body)
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    assert api.get(_path(rels["service-desc"]["href"])).json()["paths"]["/collections"]
    assert api.get(_path(rels["data"]["href"])).status_code == 200
    conformance = api.get(_path(rels["conformance"]["href"])).json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conformance
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30" in conformance
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conformance
    assert api.get("/ogc/").json() == body


def test_the_api_definition_is_openapi_30_rooted_at_the_landing_page(api: TestClient):
    link = _rels(api.get("/ogc").json())["service-desc"]
    assert link["type"] == "application/vnd.oai.openapi+json;version=3.0", "what QGIS requires"
    response = api.get(_path(link["href"]))
    assert response.headers["content-type"] == link["type"]
    document = response.json()
    validate(document)
    assert document["openapi"].startswith("3.0.") and document["servers"][0]["url"].endswith("/ogc")
    limit = document["components"]["parameters"]["limit"]["schema"]
    assert (limit["default"], limit["maximum"]) == (100, 10_000)
    names = {
        path: {p.get("name") for p in document["paths"][path]["get"]["parameters"]}
        for path in ("/collections/communes/items", "/collections/zones/items")
    }
    assert {"insee_dep", "insee_com", "bbox", "crs"} <= names["/collections/communes/items"]
    assert "categorie" not in names["/collections/communes/items"]
    assert {"categorie", "profession", "datetime"} <= names["/collections/zones/items"]
    assert "insee_dep" not in names["/collections/zones/items"]
    # The former English names are still accepted, marked deprecated.
    zone_params = document["paths"]["/collections/zones/items"]["get"]["parameters"]
    assert {p["name"] for p in zone_params if p.get("deprecated")} == {"category", "region"}


def test_collections_list_published_decrees_but_no_draft(
    api: TestClient, zoned: tuple[str, Decree, Decree]
):
    _, decree_2012, decree_2018 = zoned
    response = api.get("/ogc/collections")
    assert response.headers["content-type"].startswith("application/json")
    collections = {c["id"]: c for c in response.json()["collections"]}
    assert set(collections) == {
        "zones",
        f"decree-{decree_2012.id}",
        f"decree-{decree_2018.id}",
        "communes",
        "posts",
    }
    for collection in collections.values():
        assert collection["itemType"] == "feature"
        # Île-de-France lies within Lambert-93's area of use: QGIS is offered it first.
        assert collection["storageCrs"] == L93 and collection["crs"][0] == L93
        assert {CRS84, L93} <= set(collection["crs"])
        assert "items" in _rels(collection)
        minx, miny, maxx, maxy = collection["extent"]["spatial"]["bbox"][0]
        assert 2.1 < minx < maxx < 2.7 and 48.7 < miny < maxy < 49.1, collection["id"]
    old = collections[f"decree-{decree_2012.id}"]["extent"]["temporal"]["interval"][0]
    assert old[0].startswith("2012-05-24") and old[1].startswith("2017-12-31")
    assert collections["zones"]["extent"]["temporal"]["interval"][0][1] is None
    one = api.get(f"/ogc/collections/decree-{decree_2018.id}").json()
    assert "17-1000" in one["title"] and _rels(one)["self"]["href"].endswith(one["id"])


def test_zones_in_force_today_with_their_decree(api: TestClient):
    response = api.get(ZONES)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    assert response.headers["content-crs"] == f"<{CRS84}>"
    body = response.json()
    assert (body["numberMatched"], body["numberReturned"]) == (3, 3)
    assert body["timeStamp"].endswith("Z")
    by_name = {f["properties"]["nom"]: f["properties"] for f in body["features"]}
    assert {n: p["categorie"] for n, p in by_name.items()} == {
        "Courneuve": "ZIP",
        "Drancy ouest": "ZAC",
        "Drancy est": "ZV",
    }
    assert by_name["Drancy est"]["ouvre_cesp"] is False
    assert by_name["Courneuve"]["ouvre_cesp"] is True
    assert list(by_name["Courneuve"]) == ZONE_FIELDS.names  # the GeoPackage's fields
    assert by_name["Courneuve"]["insee_com"] == "93027" and by_name["Courneuve"]["nb_com"] == 1
    for props in by_name.values():
        assert props["arrete"] == "17-1000" and props["insee_reg"] == "11"
        assert (props["debut"], props["profession"]) == ("2018-01-01", "medecin")


def test_datetime_picks_the_zoning_of_another_day_or_span(api: TestClient):
    in_2013 = api.get(ZONES, params={"datetime": "2013-01-01"}).json()
    assert {f["properties"]["arrete"] for f in in_2013["features"]} == {"12-209"}
    assert in_2013["numberMatched"] == 5
    new_year = api.get(ZONES, params={"datetime": "2017-12-31T23:30:00Z"}).json()
    assert new_year["numberMatched"] == 3, "23:30 UTC on 31 December is 2018 in Paris"
    last_evening = api.get(ZONES, params={"datetime": "2017-12-31T22:30:00Z"}).json()
    assert last_evening["numberMatched"] == 5, "22:30 UTC is still 2017 in Paris"
    span = api.get(ZONES, params={"datetime": "2017-06-01/2018-06-01"}).json()
    assert span["numberMatched"] == 8
    open_end = api.get(ZONES, params={"datetime": "2019-01-01/.."}).json()
    assert open_end["numberMatched"] == 3
    assert api.get(ZONES, params={"datetime": "2000-01-01"}).json()["numberMatched"] == 0
    _bad(api.get(ZONES, params={"datetime": "yesterday"}), "datetime")
    _bad(api.get(ZONES, params={"datetime": "2019-01-01/2018-01-01"}), "datetime")


def test_property_filters_and_unknown_parameters(api: TestClient):
    zip_only = api.get(ZONES, params={"categorie": "ZIP"}).json()
    assert [f["properties"]["nom"] for f in zip_only["features"]] == ["Courneuve"]
    former = api.get(ZONES, params={"category": "ZIP"}).json()
    assert [f["id"] for f in former["features"]] == [f["id"] for f in zip_only["features"]]
    assert api.get(ZONES, params={"insee_reg": "84"}).json()["numberMatched"] == 0
    assert api.get(ZONES, params={"region": "84"}).json()["numberMatched"] == 0
    assert api.get(ZONES, params={"profession": "medecin"}).json()["numberMatched"] == 3
    assert api.get(ZONES, params={"profession": "Médecin"}).json()["numberMatched"] == 3
    unknown = api.get(ZONES, params={"profession": "kiné"})
    assert unknown.status_code == 400 and unknown.json()["field"] == "profession"
    assert "chirurgien-dentiste" in unknown.json()["detail_fr"]
    _bad(api.get(ZONES, params={"insee_dep": "93"}), "insee_dep")
    _bad(api.get(ZONES, params={"colour": "red"}), "colour")
    _bad(api.get(ZONES, params={"region": "Île-de-France"}), "region")
    # Metadata documents ignore the items' parameters (GDAL sends them to every URL).
    assert api.get("/ogc/collections", params={"limit": "3"}).status_code == 200
    _bad(api.get(ZONES, params={"limit": "0"}), "limit")
    _bad(api.get(ZONES, params={"limit": "ten"}), "limit")


def test_a_limit_above_the_maximum_is_served_as_the_maximum(api: TestClient):
    response = api.get(COMMUNES, params={"limit": "50000", "insee_dep": "93"})
    assert response.status_code == 200
    alternate = parse_qs(urlsplit(_rels(response.json())["alternate"]["href"]).query)
    assert alternate["limit"] == ["10000"]


def test_paging_through_communes_with_next_and_prev(api: TestClient, db: sa.Engine):
    with db.connect() as conn:
        expected = (
            conn.execute(
                sa.text(
                    "SELECT code FROM commune_units WHERE departement_code = '93' "
                    "AND kind = 'commune' AND valid_to IS NULL ORDER BY code"
                )
            )
            .scalars()
            .all()
        )
    seen: list[str] = []
    pages = []
    url = f"{COMMUNES}?departement=93&limit=15"
    while url:
        body = api.get(url).json()
        pages.append(body)
        assert body["numberMatched"] == len(expected)
        assert body["numberReturned"] == len(body["features"]) <= 15
        seen += [f["id"] for f in body["features"]]
        url = _path(_rels(body)["next"]["href"]) if "next" in _rels(body) else ""
    assert seen == expected and len(pages) == -(-len(expected) // 15)
    assert "prev" not in _rels(pages[0])
    back = api.get(_path(_rels(pages[1])["prev"]["href"])).json()
    assert [f["id"] for f in back["features"]] == [f["id"] for f in pages[0]["features"]]
    first = pages[0]["features"][0]["properties"]
    assert first["insee_dep"] == "93" and first["insee_reg"] == "11" and first["nom"]
    assert (
        list(first) == COMMUNE_FIELDS.names and first["insee_com"] == pages[0]["features"][0]["id"]
    )


def test_bbox_selects_exactly_the_communes_it_meets(api: TestClient):
    every = api.get(COMMUNES, params={"limit": "1000"}).json()["features"]
    area = box(2.40, 48.90, 2.45, 48.93)
    expected = sorted(f["id"] for f in every if shape(f["geometry"]).intersects(area))
    found = api.get(COMMUNES, params={"bbox": "2.40,48.90,2.45,48.93", "limit": "1000"}).json()
    assert sorted(f["id"] for f in found["features"]) == expected
    assert "93008" in expected and len(expected) < len(every) / 4
    assert found["numberMatched"] == len(expected)
    near_miss = [f["id"] for f in every if shape(f["geometry"]).envelope.intersects(area)]
    assert len(near_miss) > len(expected), "some boxes meet the bbox without their commune"


def test_bbox_in_lambert_93(api: TestClient):
    every = api.get(COMMUNES, params={"limit": "1000", "crs": L93}).json()["features"]
    area = box(655000, 6865000, 659000, 6869000)
    expected = sorted(f["id"] for f in every if shape(f["geometry"]).intersects(area))
    params = {"bbox": "655000,6865000,659000,6869000", "bbox-crs": L93, "limit": "1000"}
    found = api.get(COMMUNES, params=params).json()
    assert sorted(f["id"] for f in found["features"]) == expected and expected
    _bad(api.get(COMMUNES, params={**params, "bbox-crs": "EPSG:3857"}), "bbox-crs")
    _bad(api.get(COMMUNES, params={"bbox": "2.5,48.9,2.4,48.95,1"}), "bbox")
    _bad(api.get(COMMUNES, params={"bbox": "2.4,95,2.5,96"}), "bbox")


def test_lambert_93_output_matches_the_crs84_answer(api: TestClient):
    wgs84 = api.get(ZONES, params={"categorie": "ZIP"})
    lambert = api.get(ZONES, params={"categorie": "ZIP", "crs": L93})
    assert lambert.headers["content-crs"] == f"<{L93}>"
    degrees = wgs84.json()["features"][0]["geometry"]["coordinates"][0][0]
    metres = lambert.json()["features"][0]["geometry"]["coordinates"][0][0]
    to_l93 = transformer(WGS84, LAMBERT93)
    for (lon, lat), (x, y) in zip(degrees, metres, strict=True):
        ex, ny = to_l93.transform(lon, lat)
        # Both answers are rounded to the centimetre (7 decimals of a degree: 1.1 cm).
        assert abs(x - ex) < 0.02 and abs(y - ny) < 0.02
        assert 600_000 < x < 700_000 and 6_800_000 < y < 6_900_000, "easting then northing"
    area = shape(lambert.json()["features"][0]["geometry"]).area
    assert area == pytest.approx(
        reproject(shape(wgs84.json()["features"][0]["geometry"]), WGS84, LAMBERT93).area
    )


def test_epsg_4326_output_is_latitude_first(api: TestClient):
    lon_lat = api.get("/ogc/collections/communes/items/93008").json()["geometry"]
    lat_lon = api.get("/ogc/collections/communes/items/93008", params={"crs": EPSG4326})
    assert lat_lon.headers["content-crs"] == f"<{EPSG4326}>"
    first = lon_lat["coordinates"][0][0][0]
    assert lat_lon.json()["geometry"]["coordinates"][0][0][0] == [first[1], first[0]]
    _bad(api.get("/ogc/collections/communes/items/93008", params={"crs": "EPSG:27572"}), "crs")


def test_single_features_and_404s(api: TestClient, zoned: tuple[str, Decree, Decree]):
    _, decree_2012, decree_2018 = zoned
    listed = api.get(ZONES, params={"categorie": "ZIP"}).json()["features"][0]
    one = api.get(f"{ZONES}/{listed['id']}")
    assert one.status_code == 200 and one.headers["content-type"] == "application/geo+json"
    assert one.json()["properties"] == listed["properties"]
    assert one.json()["geometry"] == listed["geometry"]
    assert _rels(one.json())["self"]["href"].endswith(f"/items/{listed['id']}")
    bobigny = api.get("/ogc/collections/communes/items/93008").json()
    assert bobigny["properties"]["nom"] == "Bobigny" and bobigny["id"] == "93008"
    _bad(api.get("/ogc/collections/communes/items/99999"), "featureId", 404)
    _bad(api.get(f"{ZONES}/987654"), "featureId", 404)
    other_decree = f"/ogc/collections/decree-{decree_2012.id}/items/{listed['id']}"
    _bad(api.get(other_decree), "featureId", 404)
    _bad(api.get("/ogc/collections/rivers/items"), "collectionId", 404)
    _bad(api.get("/ogc/collections/decree-999"), "collectionId", 404)
    assert (
        api.get(f"/ogc/collections/decree-{decree_2018.id}/items/{listed['id']}").status_code == 200
    )


def test_zones_of_one_decree_and_the_alias_route(
    api: TestClient, zoned: tuple[str, Decree, Decree]
):
    _, decree_2012, _ = zoned
    redirect = api.get(f"/ogc/decrees/{decree_2012.id}/zones?limit=2", follow_redirects=False)
    assert redirect.status_code == 307
    assert (
        _path(redirect.headers["location"])
        == f"/ogc/collections/decree-{decree_2012.id}/items?limit=2"
    )
    body = api.get(f"/ogc/decrees/{decree_2012.id}/zones").json()
    assert body["numberMatched"] == 5
    assert {f["properties"]["arrete"] for f in body["features"]} == {"12-209"}
    later = api.get(
        f"/ogc/collections/decree-{decree_2012.id}/items", params={"datetime": "2020-01-01"}
    )
    assert later.json()["numberMatched"] == 0 and later.json()["features"] == []


def test_f_json_answers_plain_json(api: TestClient):
    response = api.get(ZONES, params={"f": "json", "limit": "1"})
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["type"] == "FeatureCollection"
    rels = _rels(response.json())
    assert rels["self"]["type"] == rels["next"]["type"] == "application/json"
    assert "f=json" in rels["next"]["href"]
    assert rels["alternate"]["type"] == "application/geo+json"
    assert (
        api.get(_path(rels["alternate"]["href"])).headers["content-type"] == "application/geo+json"
    )
    _bad(api.get(ZONES, params={"f": "html"}), "f")


def test_posts_are_points_filtered_by_list_and_area(api: TestClient):
    every = api.get("/ogc/collections/posts/items").json()
    assert every["numberMatched"] == 2
    assert {f["geometry"]["type"] for f in every["features"]} == {"Point"}
    internat = api.get("/ogc/collections/posts/items", params={"type_poste": "internat"}).json()
    assert [f["properties"]["reference"] for f in internat["features"]] == ["OGC-I1"]
    assert internat["features"][0]["properties"]["nom_com"] == "Boulogne-Billancourt"
    assert list(internat["features"][0]["properties"]) == POST_FIELDS.names
    kind = api.get("/ogc/collections/posts/items", params={"kind": "internat"}).json()
    assert [f["id"] for f in kind["features"]] == [f["id"] for f in internat["features"]]
    statuses = {f["properties"]["statut"] for f in every["features"]}
    assert statuses == {"ouvert"}, "the French values of the list's spreadsheet"
    for status in ("ouvert", "open", "Ouvert"):
        found = api.get("/ogc/collections/posts/items", params={"statut": status}).json()
        assert found["numberMatched"] == 2, status
    liberal = api.get("/ogc/collections/posts/items", params={"mode": "LIBÉRAL"}).json()
    assert {f["properties"]["mode"] for f in liberal["features"]} <= {"libéral"}
    far = api.get("/ogc/collections/posts/items", params={"bbox": "2.0,48.5,2.1,48.6"}).json()
    assert far["numberMatched"] == 0
    one = every["features"][0]
    again = api.get(f"/ogc/collections/posts/items/{one['id']}").json()
    assert again["properties"] == one["properties"]
    assert api.get("/ogc/collections/posts/items/999999").status_code == 404
    bogus = api.get("/ogc/collections/posts/items", params={"mode": "bogus"})
    assert bogus.status_code == 400 and "salarie" in bogus.json()["detail_fr"]
    assert (
        api.get("/ogc/collections/posts/items", params={"statut": "Retiré"}).json()["numberMatched"]
        == 0
    )


def test_metadata_ignore_the_filter_gdal_sends_to_every_url_but_items_refuse_unknowns(
    api: TestClient, zoned: tuple[str, Decree, Decree]
):
    _, decree_2012, _ = zoned
    for path in ("/ogc", "/ogc/conformance", "/ogc/collections", "/ogc/collections/zones"):
        assert api.get(f"{path}?region=11").status_code == 200, path
    assert (
        api.get(f"/ogc/collections/decree-{decree_2012.id}/items?region=11").json()["numberMatched"]
        > 0
    )
    other = api.get(f"/ogc/collections/decree-{decree_2012.id}/items?region=84").json()
    assert other["numberMatched"] == 0, "a decree of another region has none of its zones"
    unknown = api.get("/ogc/collections/zones/items?colour=red")
    assert unknown.status_code == 400 and unknown.json()["field"] == "colour"


def test_coordinates_are_rounded_to_the_centimetre(api: TestClient):
    def decimals(body: dict) -> int:
        ring = body["features"][0]["geometry"]["coordinates"][0][0]
        return max(len(repr(v).partition(".")[2]) for point in ring for v in point)

    assert decimals(api.get(f"{ZONES}?crs={L93}").json()) <= 2
    assert decimals(api.get(ZONES).json()) <= 7


def test_queryables_and_schema_give_the_typed_fields_of_the_exports(api: TestClient):
    """Part 3 /queryables and Part 5 /schema: the names and types of ``cesp.field_schema``,
    the ones the GeoPackage carries, so a client knows dates and integers before paging."""
    collection = api.get("/ogc/collections/zones").json()
    rels = _rels(collection)
    queryables = api.get(_path(rels["http://www.opengis.net/def/rel/ogc/1.0/queryables"]["href"]))
    assert queryables.headers["content-type"] == "application/schema+json"
    body = queryables.json()
    assert set(body["properties"]) == {"categorie", "insee_reg", "profession"}
    assert body["properties"]["insee_reg"]["type"] == "string"
    schema = api.get(_path(rels["http://www.opengis.net/def/rel/ogc/1.0/schema"]["href"])).json()
    assert list(schema["properties"]) == ZONE_FIELDS.names
    fields = schema["properties"]
    assert fields["debut"] == {**fields["debut"], "type": "string", "format": "date"}
    assert fields["population"]["type"] == "integer" and fields["approx"]["type"] == "boolean"
    posts = api.get("/ogc/collections/posts/schema").json()["properties"]
    assert posts["lon"]["type"] == "number" and posts["inscrit_le"]["format"] == "date"
    communes = api.get("/ogc/collections/communes/queryables").json()["properties"]
    assert set(communes) == {"insee_dep", "insee_reg", "insee_com"}
    _bad(api.get("/ogc/collections/rivers/queryables"), "collectionId", 404)

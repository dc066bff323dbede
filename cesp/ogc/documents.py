"""The JSON documents of OGC API - Features Part 1 (OGC 17-069r4) and Part 2 (18-058r1).

Pure functions of the collections and of the URLs the request came in by: the route
layer gives the base URL (``http://host/ogc``) and the query parameters, so links are
absolute and follow the client's own host and port.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa

from cesp.ogc.crs import CRS84_URI, SUPPORTED_URIS, preferred_crs
from cesp.ogc.model import Collection, Extent, FeaturePage
from cesp.ogc.query import LEGAL_TIME_ZONE

JSON = "application/json"
GEOJSON = "application/geo+json"
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
)
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
SCHEMA_JSON = "application/schema+json"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
SCHEMA_REL = "http://www.opengis.net/def/rel/ogc/1.0/schema"

Params = Sequence[tuple[str, str]]


def link(href: str, rel: str, media_type: str, title: str) -> dict[str, str]:
    """One link object."""
    return {"href": href, "rel": rel, "type": media_type, "title": title}


def with_query(url: str, params: Params) -> str:
    """``url`` with the query ``params`` (in order), or bare when there are none."""
    return f"{url}?{urlencode(list(params))}" if params else url


def landing_page(base: str, api_href: str, api_type: str, docs_href: str) -> dict[str, Any]:
    """The landing page: links to the API definition, conformance and collections."""
    return {
        "title": "cesp-zones — OGC API Features",
        "description": (
            "Zones déficitaires du CESP (arrêtés des ARS) et communes, pour QGIS, GDAL/OGR "
            "et tout client OGC API - Features."
        ),
        "links": [
            link(base, "self", JSON, "Cette page"),
            link(api_href, "service-desc", api_type, "Définition de l'API (OpenAPI)"),
            link(docs_href, "service-doc", "text/html", "Documentation de l'API"),
            link(f"{base}/conformance", "conformance", JSON, "Classes de conformité"),
            link(f"{base}/collections", "data", JSON, "Collections"),
        ],
    }


def conformance() -> dict[str, Any]:
    """The conformance classes the API implements."""
    return {"conformsTo": list(CONFORMANCE)}


def _moment(day: date, end_of_day: bool) -> str:
    clock = time(23, 59, 59) if end_of_day else time(0, 0, 0)
    return datetime.combine(day, clock, LEGAL_TIME_ZONE).isoformat()


def _extent(extent: Extent) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if extent.bbox is not None:
        body["spatial"] = {"bbox": [list(extent.bbox)], "crs": CRS84_URI}
    if extent.temporal:
        body["temporal"] = {
            "interval": [
                [
                    _moment(extent.start, False) if extent.start else None,
                    _moment(extent.end, True) if extent.end else None,
                ]
            ],
            "trs": GREGORIAN,
        }
    return body


def collection_document(
    conn: sa.Connection, collection: Collection, base: str, self_rel: str = "self"
) -> dict[str, Any]:
    """One collection's description (Part 1 /req/core/sfc-md-items; Part 2 crs lists)."""
    url = f"{base}/collections/{collection.id}"
    extent = collection.extent(conn)
    storage, crs_list = preferred_crs(extent.bbox)
    return {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "itemType": "feature",
        "extent": _extent(extent),
        "crs": crs_list,
        "storageCrs": storage,
        "links": [
            link(url, self_rel, JSON, collection.title),
            link(f"{url}/items", "items", GEOJSON, f"{collection.title} (GeoJSON)"),
            link(f"{url}/queryables", QUERYABLES_REL, SCHEMA_JSON, "Filtres (queryables)"),
            link(f"{url}/schema", SCHEMA_REL, SCHEMA_JSON, "Champs des objets"),
        ],
    }


def queryables_document(collection: Collection, base: str) -> dict[str, Any]:
    """The properties one can filter on (Part 3 ``/queryables``, a JSON Schema), typed
    as the features carry them (``cesp.field_schema``)."""
    url = f"{base}/collections/{collection.id}/queryables"
    names = [q.name for q in collection.queryables]
    body = collection.fields.json_schema(f"Filtres de {collection.id}", names)
    return {**body, "$id": url}


def schema_document(collection: Collection, base: str) -> dict[str, Any]:
    """Every property of the features with its type (Part 5 ``/schema``): the same fields,
    names and types as the file exports of the same kind."""
    url = f"{base}/collections/{collection.id}/schema"
    body = collection.fields.json_schema(collection.title)
    return {**body, "$id": url}


def collections_document(
    conn: sa.Connection, collections: list[Collection], base: str
) -> dict[str, Any]:
    """``/collections``: every collection, each with its links."""
    return {
        "links": [link(f"{base}/collections", "self", JSON, "Collections")],
        "crs": list(SUPPORTED_URIS),
        "collections": [collection_document(conn, c, base, "collection") for c in collections],
    }


def page_links(
    items_url: str, params: Params, *, offset: int, limit: int, returned: int, matched: int
) -> list[dict[str, str]]:
    """``self``, ``alternate``, ``collection``, and ``next``/``prev`` when there are more.

    The next and previous links keep every parameter of the request (filters, bbox,
    crs...) and move ``offset`` by the page size actually served (``limit`` clamped).
    """
    kept = [(k, v) for k, v in params if k not in ("offset", "limit", "f")]
    own_format = [(k, v) for k, v in params if k == "f"]
    as_json = ("f", "json") in own_format

    def at(start: int, extra: Params = ()) -> str:
        page = [*kept, ("limit", str(limit))] + ([("offset", str(start))] if start else [])
        return with_query(items_url, [*page, *extra])

    own_type, other_type = (JSON, GEOJSON) if as_json else (GEOJSON, JSON)
    other_format = [("f", "geojson" if as_json else "json")]
    links = [
        link(with_query(items_url, list(params)), "self", own_type, "Cette page"),
        link(at(offset, other_format), "alternate", other_type, "Cette page, autre format"),
        link(items_url.removesuffix("/items"), "collection", JSON, "La collection"),
    ]
    if offset + returned < matched:
        links.append(link(at(offset + limit, own_format), "next", own_type, "Page suivante"))
    if offset > 0:
        links.append(
            link(at(max(0, offset - limit), own_format), "prev", own_type, "Page précédente")
        )
    return links


def page_head(page: FeaturePage, links: list[dict[str, str]]) -> dict[str, Any]:
    """Every member of a FeatureCollection but its features."""
    return {
        "type": "FeatureCollection",
        "numberMatched": page.matched,
        "numberReturned": len(page.features),
        "timeStamp": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "links": links,
    }


def item_links(collection_url: str, feature_id: int | str) -> list[dict[str, str]]:
    """``self``, ``alternate`` and ``collection`` links of one feature."""
    url = f"{collection_url}/items/{feature_id}"
    return [
        link(url, "self", GEOJSON, "Cet objet"),
        link(f"{url}?f=json", "alternate", JSON, "Cet objet en JSON"),
        link(collection_url, "collection", JSON, "La collection"),
    ]

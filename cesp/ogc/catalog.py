"""The registry of OGC collections, and why the protocol is ours rather than a library's.

Adding a collection kind is one ``CollectionSource`` in a module of its own and one
line in ``SOURCES``; its filters then appear in the API definition and its collections
in ``/ogc/collections`` with nothing else to change (``post_collection.py`` is the
smallest example).

Library choice (evaluated for issue 9, time-boxed):

- pygeoapi (0.24) would give the documents and the CRS handling, but its collections are
  a static YAML configuration read once at start-up, while ours appear with each
  published decree (``decree-{id}``); its providers are instantiated per request from a
  configuration dict, with no way to hand them our engine; its OpenAPI document
  ``$ref``s schemas on schemas.opengis.net, which neither this machine nor schemathesis
  can fetch; and it brings Flask, Babel, pygeofilter and more into a FastAPI service.
- tipg serves PostGIS tables through asyncpg: it cannot serve SpatiaLite, our default
  backend, and reads tables, not our domain functions.
- fastgeoapi wraps pygeoapi (same limits); ogcapi-registry validates documents only.
- geojson-pydantic (used by tipg) fits: it gives the GeoJSON models of the API
  definition (``cesp/api/ogc_schemas.py``), so schemathesis checks our features against
  real GeoJSON schemas.

So the few documents of Part 1 and Part 2 are built here (``cesp/ogc/documents.py``)
over the domain functions that the rest of the service uses, on both backends.
"""

from __future__ import annotations

import sqlalchemy as sa

from cesp.errors import NotFoundError
from cesp.ogc.commune_collection import COMMUNES_SOURCE
from cesp.ogc.model import Collection, CollectionSource
from cesp.ogc.post_collection import POSTS_SOURCE
from cesp.ogc.query import Queryable
from cesp.ogc.zone_collections import DECREES_SOURCE, ZONES_SOURCE

SOURCES: tuple[CollectionSource, ...] = (
    ZONES_SOURCE,
    DECREES_SOURCE,
    COMMUNES_SOURCE,
    POSTS_SOURCE,
)


def all_collections(conn: sa.Connection) -> list[Collection]:
    """Every collection, in registry order."""
    return [c for source in SOURCES for c in source.collections(conn)]


def find_collection(conn: sa.Connection, collection_id: str) -> Collection:
    """The collection ``collection_id`` or ``NotFoundError``."""
    for collection in all_collections(conn):
        if collection.id == collection_id:
            return collection
    raise NotFoundError(
        f"No collection {collection_id!r}: see /ogc/collections",
        message_fr=f"Collection inconnue : « {collection_id} » (voir /ogc/collections).",
        field="collectionId",
    )


def all_queryables() -> tuple[Queryable, ...]:
    """Every filter some collection accepts, once each (for the API definition)."""
    seen: dict[str, Queryable] = {}
    for source in SOURCES:
        for queryable in source.queryables:
            seen.setdefault(queryable.name, queryable)
    return tuple(seen.values())

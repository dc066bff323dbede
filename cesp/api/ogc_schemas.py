"""Response models of the OGC API routes, for the API definition only.

The routes write their JSON themselves (a page of 10,000 communes is not validated
field by field); these models tell clients and schemathesis what that JSON is. GeoJSON
comes from geojson-pydantic, so every geometry is checked against the real GeoJSON
types.
"""

from __future__ import annotations

from typing import Any

from geojson_pydantic import Feature, FeatureCollection
from geojson_pydantic.geometries import Geometry
from pydantic import BaseModel, Field


class Link(BaseModel):
    """A link (OGC API - Common)."""

    href: str
    rel: str
    type: str | None = None
    title: str | None = None


class LandingPage(BaseModel):
    """``/ogc``."""

    title: str | None = None
    description: str | None = None
    links: list[Link]


class ConformanceDeclaration(BaseModel):
    """``/ogc/conformance``."""

    conformsTo: list[str]


class SpatialExtent(BaseModel):
    """Bounds in CRS84."""

    bbox: list[list[float]] = Field(min_length=1)
    crs: str


class TemporalExtent(BaseModel):
    """Days covered, as RFC 3339 date-times (null: open)."""

    interval: list[list[str | None]] = Field(min_length=1)
    trs: str


class CollectionExtent(BaseModel):
    """Spatial and temporal extent of a collection."""

    spatial: SpatialExtent | None = None
    temporal: TemporalExtent | None = None


class CollectionInfo(BaseModel):
    """``/ogc/collections/{collectionId}``."""

    id: str
    title: str | None = None
    description: str | None = None
    itemType: str
    extent: CollectionExtent | None = None
    crs: list[str] = Field(description="CRS the items can be served in (Part 2)")
    storageCrs: str
    links: list[Link]


class Collections(BaseModel):
    """``/ogc/collections``."""

    links: list[Link]
    crs: list[str]
    collections: list[CollectionInfo]


class OgcFeature(Feature[Geometry, dict[str, Any]]):
    """A GeoJSON feature with its links."""

    links: list[Link] | None = None


class OgcFeatureCollection(FeatureCollection[Feature[Geometry, dict[str, Any]]]):
    """A page of features (Part 1, 7.15.2)."""

    numberMatched: int = Field(ge=0)
    numberReturned: int = Field(ge=0)
    timeStamp: str
    links: list[Link]


class OgcError(BaseModel):
    """An OGC exception (``code``, ``description``) that is also our usual error body."""

    code: str
    description: str
    error: str
    detail: str
    detail_fr: str
    field: str | None = None

"""What an OGC collection is to us: a few facts and three functions over our domain.

A ``Collection`` does not hold data: ``page`` and ``feature`` call the domain functions
that every other face uses (``cesp.zones.features``, ``cesp.geo.listing``...). A
``CollectionSource`` is one kind of collection: the filters it accepts (known before
any request, so the API definition can list them) and a function that lists its
collections from the database (one per published decree, for instance).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from shapely.geometry.base import BaseGeometry

from cesp.field_schema import FieldSchema
from cesp.ogc.query import ItemQuery, Queryable

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Feature:
    """A feature: its id, flat JSON-ready properties, and its geometry in WGS84."""

    id: int | str
    properties: dict[str, Any]
    geometry: BaseGeometry | None


@dataclass(frozen=True)
class FeaturePage:
    """The features of one page and how many features match the query in all."""

    features: list[Feature]
    matched: int


@dataclass(frozen=True)
class Extent:
    """Spatial bounds (WGS84) and the days covered (``None``: open or unknown)."""

    bbox: BBox | None
    start: date | None = None
    end: date | None = None
    temporal: bool = True


@dataclass(frozen=True)
class Collection:
    """One OGC collection; ``fields`` describes the properties of its features."""

    id: str
    title: str
    description: str
    fields: FieldSchema
    queryables: tuple[Queryable, ...]
    extent: Callable[[sa.Connection], Extent]
    page: Callable[[sa.Connection, ItemQuery], FeaturePage]
    feature: Callable[[sa.Connection, str], Feature]


@dataclass(frozen=True)
class CollectionSource:
    """A kind of collection: its filters and how to list its collections."""

    name: str
    queryables: tuple[Queryable, ...]
    collections: Callable[[sa.Connection], list[Collection]]

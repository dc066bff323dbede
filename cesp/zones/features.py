"""Zones of a set of decrees as a list: filtered by category and area, in decree then
name order, one page at a time with the count of all matches; and the decrees whose
period meets a span of days.

The OGC ``zones`` and ``decree-{id}`` collections read through here; the rows map to the
same ``Zone`` objects as ``cesp.zones.decrees``, and features get their properties from
``cesp.zones.export.zone_records`` (the fields of the file exports, ``ZONE_FIELDS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from shapely.geometry.base import BaseGeometry

from cesp.errors import NotFoundError
from cesp.storage.spatial import extent_aggregates, meets_area
from cesp.zones.decree_record import IN_FORCE_STATUSES
from cesp.zones.decrees import (
    ZONE_COLUMNS,
    ZONE_GEOMETRY,
    Decree,
    Zone,
    list_decrees,
    zone_of,
)
from cesp.zones.tables import zones


@dataclass(frozen=True)
class ZoneFilter:
    """Which zones of ``decree_ids`` to list; ``None`` leaves a criterion out."""

    decree_ids: tuple[int, ...]
    category: str | None = None
    area: BaseGeometry | None = None


def decrees_meeting(
    conn: sa.Connection,
    start: date | None,
    end: date | None,
    *,
    region: str | None = None,
    profession: str | None = None,
) -> list[Decree]:
    """Published (or since superseded) decrees applying on at least one day of
    ``[start, end]`` (``None``: open end); drafts never count."""
    return [
        d
        for d in list_decrees(conn, region=region, profession=profession)
        if d.status in IN_FORCE_STATUSES
        and (end is None or d.effective_from <= end)
        and (start is None or d.effective_to is None or d.effective_to >= start)
    ]


def _criteria(
    conn: sa.Connection, selection: ZoneFilter
) -> list[sa.ColumnElement[bool] | sa.TextClause]:
    criteria: list[sa.ColumnElement[bool] | sa.TextClause] = [
        zones.c.decree_id.in_(selection.decree_ids)
    ]
    if selection.category is not None:
        criteria.append(zones.c.category == selection.category)
    if selection.area is not None:
        area = selection.area
        criteria.append(zones.c.geom.is_not(None))
        criteria.append(meets_area(conn.dialect.name, "zones", area.wkb, area.bounds))
    return criteria


def zones_page(
    conn: sa.Connection, selection: ZoneFilter, *, limit: int, offset: int = 0
) -> tuple[list[Zone], int]:
    """One page of zones (with geometry) and how many match in all.

    Parameters
    ----------
    selection
        The decrees and the criteria.
    limit, offset
        The page: at most ``limit`` zones after skipping ``offset`` of them.
    """
    if not selection.decree_ids:
        return [], 0
    criteria = _criteria(conn, selection)
    count = sa.select(sa.func.count()).select_from(zones).where(*criteria)
    matched = int(conn.execute(count).scalar_one())
    if offset >= matched:
        return [], matched
    rows = conn.execute(
        sa.select(*ZONE_COLUMNS, ZONE_GEOMETRY)
        .where(*criteria)
        .order_by(zones.c.decree_id, zones.c.name, zones.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [zone_of(r) for r in rows], matched


def get_zone(conn: sa.Connection, zone_id: int) -> Zone:
    """One zone by id, with geometry, or ``NotFoundError``."""
    row = conn.execute(sa.select(*ZONE_COLUMNS, ZONE_GEOMETRY).where(zones.c.id == zone_id)).first()
    if row is None:
        raise NotFoundError(
            f"No zone with id {zone_id}", message_fr=f"Aucune zone n°{zone_id}.", field="featureId"
        )
    return zone_of(row)


def zone_extents(
    conn: sa.Connection, decree_ids: list[int] | None = None
) -> dict[int, tuple[float, float, float, float]]:
    """Bounds (WGS84) of the zones of each decree (all, or ``decree_ids``), by decree id."""
    if decree_ids is not None and not decree_ids:
        return {}
    query = (
        sa.select(zones.c.decree_id, *extent_aggregates(conn.dialect.name, zones.c.geom))
        .where(zones.c.geom.is_not(None))
        .group_by(zones.c.decree_id)
    )
    if decree_ids is not None:
        query = query.where(zones.c.decree_id.in_(decree_ids))
    rows = conn.execute(query)
    return {
        int(r[0]): (float(r[1]), float(r[2]), float(r[3]), float(r[4]))
        for r in rows
        if r[1] is not None
    }

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
from typing import Any

import sqlalchemy as sa
from shapely.geometry.base import BaseGeometry

from cesp.errors import NotFoundError
from cesp.storage.spatial import area_intersects, extent_columns
from cesp.zones.decrees import IN_FORCE_STATUSES, Decree, Zone, _zone, list_decrees

_ZONE_COLUMNS = (
    "t.id, t.decree_id, t.name, t.category, t.built_from, t.population, t.approximate, "
    "t.approximate_reason, t.priority, ST_AsBinary(t.geom) AS wkb"
)


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


def _where(conn: sa.Connection, selection: ZoneFilter) -> tuple[str, dict[str, Any]]:
    clauses = ["t.decree_id IN :ids"]
    params: dict[str, Any] = {"ids": list(selection.decree_ids)}
    if selection.category is not None:
        clauses.append("t.category = :category")
        params["category"] = selection.category
    if selection.area is not None:
        clauses.append("t.geom IS NOT NULL")
        clauses.append(area_intersects(conn.dialect.name, "zones"))
        minx, miny, maxx, maxy = selection.area.bounds
        params.update(minx=minx, miny=miny, maxx=maxx, maxy=maxy, area=selection.area.wkb)
    return " AND ".join(clauses), params


def _ids(sql: str) -> sa.TextClause:
    return sa.text(sql).bindparams(sa.bindparam("ids", expanding=True))


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
    where, params = _where(conn, selection)
    matched = int(
        conn.execute(_ids(f"SELECT count(*) FROM zones t WHERE {where}"), params).scalar_one()
    )
    if offset >= matched:
        return [], matched
    rows = conn.execute(
        _ids(
            f"SELECT {_ZONE_COLUMNS} FROM zones t WHERE {where} "
            "ORDER BY t.decree_id, t.name, t.id LIMIT :limit OFFSET :offset"
        ),
        {**params, "limit": limit, "offset": offset},
    )
    return [_zone(r, True) for r in rows], matched


def get_zone(conn: sa.Connection, zone_id: int) -> Zone:
    """One zone by id, with geometry, or ``NotFoundError``."""
    row = conn.execute(
        sa.text(f"SELECT {_ZONE_COLUMNS} FROM zones t WHERE t.id = :id"), {"id": zone_id}
    ).first()
    if row is None:
        raise NotFoundError(
            f"No zone with id {zone_id}", message_fr=f"Aucune zone n°{zone_id}.", field="featureId"
        )
    return _zone(row, True)


def zone_extents(
    conn: sa.Connection, decree_ids: list[int] | None = None
) -> dict[int, tuple[float, float, float, float]]:
    """Bounds (WGS84) of the zones of each decree (all, or ``decree_ids``), by decree id."""
    only = "AND t.decree_id IN :ids " if decree_ids is not None else ""
    sql = sa.text(
        f"SELECT t.decree_id, {extent_columns(conn.dialect.name)} FROM zones t "
        f"WHERE t.geom IS NOT NULL {only}GROUP BY t.decree_id"
    )
    if decree_ids is not None:
        if not decree_ids:
            return {}
        sql = sql.bindparams(sa.bindparam("ids", expanding=True))
    rows = conn.execute(sql, {"ids": decree_ids} if decree_ids is not None else {})
    return {
        int(r[0]): (float(r[1]), float(r[2]), float(r[3]), float(r[4]))
        for r in rows
        if r[1] is not None
    }

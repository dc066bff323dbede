"""Today's communes as a list: filtered by code, département, region, area and creation
date, ordered by INSEE code, one page at a time with the count of all matches.

This is what the OGC ``communes`` collection and any other paged listing read; the rows
and their mapping to ``CommuneUnit`` are those of ``cesp.geo.communes``. A page of
10,000 communes is one indexed query: the area filter goes through the spatial index
(``cesp.storage.spatial.area_intersects``), never through a scan of every polygon.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from shapely.geometry.base import BaseGeometry

from cesp.geo.communes import _COLUMNS, _FROM, CommuneUnit, _unit
from cesp.storage.spatial import area_intersects, extent_columns


@dataclass(frozen=True)
class CommuneFilter:
    """Which current communes to list; ``None`` leaves a criterion out."""

    code: str | None = None
    departement: str | None = None
    region: str | None = None
    area: BaseGeometry | None = None
    existing_by: date | None = None


def _where(conn: sa.Connection, selection: CommuneFilter) -> tuple[str, dict[str, Any]]:
    clauses = ["t.kind = 'commune'", "t.valid_to IS NULL"]
    params: dict[str, Any] = {}
    for column, value in (
        ("t.code", selection.code),
        ("t.departement_code", selection.departement),
        ("t.region_code", selection.region),
    ):
        if value is not None:
            name = column.removeprefix("t.")
            clauses.append(f"{column} = :{name}")
            params[name] = value
    if selection.existing_by is not None:
        clauses.append("(t.valid_from IS NULL OR t.valid_from <= :existing_by)")
        params["existing_by"] = selection.existing_by
    if selection.area is not None:
        clauses.append("t.geom IS NOT NULL")
        clauses.append(area_intersects(conn.dialect.name, "commune_units"))
        minx, miny, maxx, maxy = selection.area.bounds
        params.update(minx=minx, miny=miny, maxx=maxx, maxy=maxy, area=selection.area.wkb)
    return " AND ".join(clauses), params


def current_communes(
    conn: sa.Connection, selection: CommuneFilter, *, limit: int, offset: int = 0
) -> tuple[list[CommuneUnit], int]:
    """One page of today's communes (with geometry) in code order, and how many match.

    Parameters
    ----------
    selection
        The criteria; ``existing_by`` keeps the communes that already existed on that day.
    limit, offset
        The page: at most ``limit`` communes after skipping ``offset`` of them.

    Returns
    -------
    The communes of the page and the number of communes matching in all.
    """
    where, params = _where(conn, selection)
    matched = conn.execute(
        sa.text(f"SELECT count(*) FROM commune_units t WHERE {where}"), params
    ).scalar_one()
    if offset >= matched:
        return [], int(matched)
    rows = conn.execute(
        sa.text(
            f"SELECT {_COLUMNS}, ST_AsBinary(t.geom) AS wkb {_FROM} WHERE {where} "
            "ORDER BY t.code LIMIT :limit OFFSET :offset"
        ),
        {**params, "limit": limit, "offset": offset},
    )
    return [_unit(r, r.wkb) for r in rows], int(matched)


def communes_extent(conn: sa.Connection) -> tuple[float, float, float, float] | None:
    """Bounds (WGS84) of the loaded départements, or None when nothing is loaded."""
    row = conn.execute(
        sa.text(f"SELECT {extent_columns(conn.dialect.name)} FROM departements t")
    ).one()
    if row[0] is None:
        return None
    return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))

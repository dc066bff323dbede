"""Today's communes as a list: filtered by code, département, region, area and creation
date, ordered by INSEE code, one page at a time with the count of all matches.

This is what the OGC ``communes`` collection and any other paged listing read; the rows
and their mapping to ``CommuneUnit`` are those of ``cesp.geo.communes``. A page of
10,000 communes is one indexed query: the area filter goes through the spatial index
(``cesp.storage.spatial.meets_area``), never through a scan of every polygon.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from shapely.geometry.base import BaseGeometry

from cesp.geo.communes import UNIT_GEOMETRY, UNITS, CommuneUnit, select_units, unit_of
from cesp.storage.spatial import meets_area


@dataclass(frozen=True)
class CommuneFilter:
    """Which current communes to list; ``None`` leaves a criterion out."""

    code: str | None = None
    departement: str | None = None
    region: str | None = None
    area: BaseGeometry | None = None
    existing_by: date | None = None


def _criteria(
    conn: sa.Connection, selection: CommuneFilter
) -> list[sa.ColumnElement[bool] | sa.TextClause]:
    criteria: list[sa.ColumnElement[bool] | sa.TextClause] = [
        UNITS.c.kind == "commune",
        UNITS.c.valid_to.is_(None),
    ]
    for column, value in (
        (UNITS.c.code, selection.code),
        (UNITS.c.departement_code, selection.departement),
        (UNITS.c.region_code, selection.region),
    ):
        if value is not None:
            criteria.append(column == value)
    if selection.existing_by is not None:
        criteria.append(
            sa.or_(UNITS.c.valid_from.is_(None), UNITS.c.valid_from <= selection.existing_by)
        )
    if selection.area is not None:
        area = selection.area
        criteria.append(UNITS.c.geom.is_not(None))
        criteria.append(
            meets_area(conn.dialect.name, "commune_units", area.wkb, area.bounds, UNITS.name)
        )
    return criteria


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
    criteria = _criteria(conn, selection)
    matched = int(
        conn.execute(sa.select(sa.func.count()).select_from(UNITS).where(*criteria)).scalar_one()
    )
    if offset >= matched:
        return [], matched
    rows = conn.execute(
        select_units(UNIT_GEOMETRY)
        .where(*criteria)
        .order_by(UNITS.c.code)
        .limit(limit)
        .offset(offset)
    )
    return [unit_of(r) for r in rows], matched

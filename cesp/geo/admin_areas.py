"""Regions and départements of a load: their names upserted from the COG, their outlines
recomputed from the communes just loaded (``cesp.geo.loader``)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from shapely import wkb

from cesp.geo import cog
from cesp.geo.geometry import union_multipolygon
from cesp.geo.tables import departements, regions
from cesp.storage.spatial import wgs84_geometry


def _geometry(outline: Any) -> sa.ColumnElement[Any]:
    return wgs84_geometry(outline.wkb if outline is not None else None)


def write_admin_areas(
    conn: sa.Connection, data_dir: Path, rows: list[dict[str, Any]], scope: tuple[str, ...]
) -> None:
    """Upsert regions and départements; recompute outlines of the touched ones."""
    cog_regions = cog.read_regions(data_dir)
    cog_departements = cog.read_departements(data_dir)
    existing_regions = set(conn.execute(sa.select(regions.c.code)).scalars())
    existing_deps = set(conn.execute(sa.select(departements.c.code)).scalars())
    for region in cog_regions:
        names = {"name": region.name, "chef_lieu": region.chef_lieu}
        if region.code in existing_regions:
            conn.execute(sa.update(regions).where(regions.c.code == region.code).values(names))
        else:
            conn.execute(sa.insert(regions).values(code=region.code, **names))
    for dep in cog_departements:
        fields = {"name": dep.name, "chef_lieu": dep.chef_lieu, "region_code": dep.region}
        if dep.code in existing_deps:
            conn.execute(
                sa.update(departements).where(departements.c.code == dep.code).values(fields)
            )
        else:
            conn.execute(sa.insert(departements).values(code=dep.code, **fields))

    by_dep: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        own_polygon = row["geometry_code"] == row["code"] and row["wkb"]
        if row["kind"] == "commune" and row["valid_to"] is None and own_polygon:
            by_dep[row["departement_code"]].append(wkb.loads(row["wkb"]))
    touched_regions = set()
    dep_region = {d.code: d.region for d in cog_departements}
    for code in scope or tuple(by_dep):
        outline = union_multipolygon(by_dep.get(code, []))
        conn.execute(
            sa.update(departements)
            .where(departements.c.code == code)
            .values(geom=_geometry(outline))
        )
        touched_regions.add(dep_region[code])
    for region_code in sorted(r for r in touched_regions if r):
        parts = [
            wkb.loads(bytes(blob))
            for blob in conn.execute(
                sa.select(sa.func.ST_AsBinary(departements.c.geom, type_=sa.LargeBinary)).where(
                    departements.c.region_code == region_code, departements.c.geom.is_not(None)
                )
            ).scalars()
        ]
        outline = union_multipolygon(parts)
        conn.execute(
            sa.update(regions).where(regions.c.code == region_code).values(geom=_geometry(outline))
        )

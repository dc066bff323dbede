"""In-memory spatial index of communes and zones, for fast eligibility checks.

Built once from the database (all commune units with a polygon, all published and
superseded decrees with their zones), in metric coordinates: one layer per metric CRS
(Lambert-93 for metropolitan France, the local UTM projections overseas), so that
containment, the borderline band and distances are all computed in metres.

Which commune units hold a point comes from a grid of cells (``cesp.eligibility.grid``): a
table look-up for the points of cells that no boundary crosses, a polygon test for the
others. Membership in a zone built from communes follows from the commune unit (no
second polygon test); drawn zones have a grid of their own. The predicate is
``intersects`` everywhere: a point on a boundary belongs to both sides.

The index is plain data (arrays, geometries as WKB, k-d trees): it turns into named
arrays (``cesp.eligibility.index_files``), which is how ``cesp.eligibility.index_cache``
keeps it on disk between processes and maps it back in milliseconds.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import shapely
import sqlalchemy as sa

from cesp.eligibility.geometries import GeometryColumn
from cesp.eligibility.grid import PolygonGrid
from cesp.eligibility.index_tables import CommuneTable, ZoneTable
from cesp.eligibility.zoning_index import (
    TERRITORY_CRS,
    CommuneLayers,
    ZoningIndex,
)
from cesp.geo.crs import (
    metric_crs_for_region,
    reproject,
)
from cesp.geo.tables import commune_units
from cesp.storage.versioning import commune_state, index_state, read_index_version
from cesp.zones import tables as zoning
from cesp.zones.categories import ZoneCategory, load_categories
from cesp.zones.decrees import Decree, list_decrees

# An open end, past every date: ends are exclusive (``valid_from <= d < valid_to``), so
# date.max itself must fall before it.
FOREVER = date.max.toordinal() + 1
COMMUNE_COLUMNS = (
    "code",
    "kind",
    "name",
    "region_code",
    "departement_code",
    "parent_code",
    "valid_from",
    "valid_to",
    "approximate",
    "approximate_reason",
    "geometry_code",
)


def _metric_geometries(crs: str, geometries: np.ndarray) -> np.ndarray:
    return np.asarray(reproject(geometries, "EPSG:4326", crs))


def _ordinal(value: date | None, missing: int) -> int:
    return missing if value is None else value.toordinal()


def _commune_rows(conn: sa.Connection) -> Sequence[sa.Row[Any]]:
    t = commune_units
    columns = [
        *(t.c[name] for name in COMMUNE_COLUMNS),
        sa.func.ST_AsBinary(t.c.geom, type_=sa.LargeBinary).label("wkb"),
    ]
    return conn.execute(sa.select(*columns).where(t.c.geom.is_not(None))).all()


def _commune_tables(rows: Sequence[sa.Row[Any]]) -> dict[str, CommuneTable]:
    by_crs: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        by_crs.setdefault(metric_crs_for_region(row.region_code), []).append(i)
    tables = {}
    for crs in TERRITORY_CRS:
        selected = [rows[i] for i in by_crs.get(crs, [])]
        geometries = shapely.from_wkb([bytes(r.wkb) for r in selected])
        # Priority when several units hold a point: exact polygon first, then the owner of
        # a shared polygon, then current units; same rule as cesp.geo.communes._primary.
        rank = np.array(
            [
                (int(bool(r.approximate)) << 2)
                | (int(r.code != r.geometry_code) << 1)
                | int(r.valid_to is not None)
                for r in selected
            ],
            dtype=np.int8,
        )
        codes = np.array([r.code for r in selected], dtype=object)
        order = np.empty(len(codes), dtype=np.int64)
        order[np.argsort(codes, kind="stable")] = np.arange(len(codes))
        tables[crs] = CommuneTable(
            code=codes,
            name=np.array([r.name for r in selected], dtype=object),
            kind=np.array([r.kind for r in selected], dtype=object),
            region=np.array([r.region_code for r in selected], dtype=object),
            departement=np.array([r.departement_code for r in selected], dtype=object),
            parent=np.array([r.parent_code for r in selected], dtype=object),
            valid_from=np.array([_ordinal(r.valid_from, 0) for r in selected], dtype=np.int64),
            valid_to=np.array([_ordinal(r.valid_to, FOREVER) for r in selected], dtype=np.int64),
            approximate=np.array([bool(r.approximate) for r in selected], dtype=bool),
            reason=np.array([r.approximate_reason for r in selected], dtype=object),
            priority=rank.astype(np.int64) * max(len(codes), 1) + order,
            grid=PolygonGrid(_metric_geometries(crs, np.asarray(geometries))),
        )
    return tables


def _zone_rows(conn: sa.Connection, decrees: dict[int, Decree]) -> Sequence[sa.Row[Any]]:
    if not decrees:
        return []
    t = zoning.zones
    return conn.execute(
        sa.select(
            t.c.id,
            t.c.decree_id,
            t.c.name,
            t.c.category,
            t.c.approximate,
            t.c.built_from,
            t.c.priority,
            sa.func.ST_AsBinary(t.c.geom, type_=sa.LargeBinary).label("wkb"),
        )
        .where(t.c.decree_id.in_(list(decrees)))
        .order_by(t.c.id)
    ).all()


def _zone_tables(
    rows: Sequence[sa.Row[Any]],
    decrees: dict[int, Decree],
    categories: list[ZoneCategory],
    by_ground: set[int],
) -> dict[str, ZoneTable]:
    """The zone tables by CRS; the zones of ``by_ground`` are tested on their polygons
    even when built from communes (``_membership_rows``)."""
    by_key = {(c.profession, c.zoning_method, c.code): c for c in categories}
    tables = {}
    for crs in TERRITORY_CRS:
        selected = [
            r for r in rows if metric_crs_for_region(decrees[r.decree_id].region_code) == crs
        ]
        cats = [
            by_key.get(
                (decrees[r.decree_id].profession, decrees[r.decree_id].zoning_method, r.category)
            )
            for r in selected
        ]
        geometries = np.asarray(shapely.from_wkb([bytes(r.wkb) for r in selected]))
        tables[crs] = ZoneTable(
            zone_id=np.array([r.id for r in selected], dtype=np.int64),
            name=np.array([r.name for r in selected], dtype=object),
            category=np.array([r.category for r in selected], dtype=object),
            category_label=np.array(
                [c.label if c else r.category for c, r in zip(cats, selected, strict=True)],
                dtype=object,
            ),
            qualifies=np.array([bool(c and c.qualifies_for_cesp) for c in cats], dtype=bool),
            decree_id=np.array([r.decree_id for r in selected], dtype=np.int64),
            approximate=np.array([bool(r.approximate) for r in selected], dtype=bool),
            built_from=np.array([r.built_from for r in selected], dtype=object),
            by_units=np.array(
                [r.built_from == "communes" and r.id not in by_ground for r in selected],
                dtype=bool,
            ),
            geometries=GeometryColumn.of(_metric_geometries(crs, geometries)),
            priority=np.array([int(r.priority or 0) for r in selected], dtype=np.int8),
        )
    return tables


@dataclass(frozen=True)
class _Link:
    """A commune a commune-built zone lists, as ``zone_communes`` holds it."""

    zone_id: int
    commune_code: str
    decree_id: int
    whole: bool
    """False for a former commune that covers only part of the successor it merged
    into (``coverage < 1``, ``cesp.zones.by_codes``): its zone holds the former
    commune's own ground, not the successor's."""
    stand_in: bool
    """An arrondissement without a polygon of its own, linked to its commune."""


def _membership_rows(conn: sa.Connection, decrees: dict[int, Decree]) -> list[_Link]:
    """The communes of the commune-built zones. An arrondissement with no polygon of its
    own (Lyon, Marseille: ``cesp.geo.arrondissements``) is linked to its commune, whose
    polygon its zone took, as a stand-in: a point in that commune may or may not lie in
    the arrondissement (``cesp.eligibility.evaluation``: « partial »)."""
    if not decrees:
        return []
    zc, z = zoning.zone_communes, zoning.zones
    # An arrondissement without a polygon of its own stands for its commune.
    a = commune_units.alias("a")
    rows = conn.execute(
        sa.select(
            zc.c.zone_id,
            sa.func.coalesce(a.c.parent_code, zc.c.commune_code).label("commune_code"),
            z.c.decree_id,
            zc.c.coverage,
            a.c.parent_code.is_not(None).label("stand_in"),
        )
        .distinct()
        .select_from(
            zc.join(z, z.c.id == zc.c.zone_id).outerjoin(
                a,
                (a.c.code == zc.c.commune_code)
                & (a.c.kind == "arrondissement")
                & a.c.geom.is_(None),
            )
        )
        .where(z.c.built_from == "communes", z.c.decree_id.in_(list(decrees)))
    ).all()
    return [
        _Link(
            int(r.zone_id),
            str(r.commune_code),
            int(r.decree_id),
            float(r.coverage) >= 1.0,
            bool(r.stand_in),
        )
        for r in rows
    ]


def _link_memberships(
    links: list[_Link],
    communes: dict[str, CommuneTable],
    zones: dict[str, ZoneTable],
    decrees: dict[int, Decree],
) -> None:
    """Attach to each commune unit the commune-built zones it belongs to (those found
    through their units: ``ZoneTable.by_units``), each link marked when it stands in for
    an arrondissement without a polygon.

    A zone lists its communes by code; the unit is the one that code designated on the
    decree's effective date, the date the import read the codes on (a 2012 decree names
    2012 communes; a dentists' decree signed 2024-12-20 and in force 2025-01-01 names Les
    Deux-Rives, 63109 since 2025-01-01, not Chidrac).
    """
    zone_position = {
        int(zone_id): (crs, row)
        for crs, table in zones.items()
        for row, zone_id in enumerate(table.zone_id)
    }
    for crs, table in communes.items():
        rows_by_code: dict[str, list[int]] = {}
        for row, code in enumerate(table.code):
            rows_by_code.setdefault(code, []).append(row)
        members: list[dict[int, bool]] = [{} for _ in range(len(table.code))]
        for link in links:
            zone_crs, zone_row = zone_position[link.zone_id]
            if zone_crs != crs or not zones[crs].by_units[zone_row]:
                continue
            read_on = decrees[link.decree_id].effective_from.toordinal()
            for row in rows_by_code.get(link.commune_code, ()):
                if table.valid_from[row] <= read_on < table.valid_to[row]:
                    # Listed itself and for an arrondissement: the whole commune is in.
                    members[row][zone_row] = members[row].get(zone_row, True) and link.stand_in
        counts = np.array([len(m) for m in members], dtype=np.int64)
        table.member_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        table.member_zone = np.array([z for m in members for z in m], dtype=np.int64)
        table.member_stand_in = np.array([f for m in members for f in m.values()], dtype=bool)


def build_index(
    engine: sa.Engine, borderline_m: float = 50.0, layers: CommuneLayers | None = None
) -> ZoningIndex:
    """Read communes, decrees and zones in one snapshot and build the index.

    The commune layer (reprojection and grid of some 40,000 polygons, about three
    seconds nationally) comes from ``layers`` when it holds the current reference
    geography, as after a decree publication; otherwise it is built in a second thread
    while this one builds the zones and the zone sets in force today (shapely, pyproj
    and numpy release the GIL for most of that work).
    """
    started = time.perf_counter()
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            version = read_index_version(conn)
            state = index_state(conn)
            communes_state = commune_state(conn)
            kept = layers.load_layer(engine, communes_state) if layers else None
            decrees = {
                d.id: d for d in list_decrees(conn) if d.status in ("published", "superseded")
            }
            categories = load_categories(conn)
            commune_rows = _commune_rows(conn) if kept is None else []
            zone_rows = _zone_rows(conn, decrees)
            links = _membership_rows(conn, decrees)
    by_ground = {link.zone_id for link in links if not link.whole}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="commune-layer") as pool:
        building = pool.submit(_commune_tables, commune_rows) if kept is None else None
        index = ZoningIndex(
            version=version,
            borderline_m=borderline_m,
            decrees=decrees,
            communes={},
            zones=_zone_tables(zone_rows, decrees, categories, by_ground),
            build_seconds=0.0,
            state=state,
            commune_state=communes_state,
        )
        index.warm(date.today())  # zone sets use the zones only
        if building is not None:
            index.communes = building.result()
        elif kept is not None:
            index.communes = kept.tables
    _link_memberships(links, index.communes, index.zones, decrees)
    index.build_seconds = time.perf_counter() - started
    return index

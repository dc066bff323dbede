"""Decrees and their zones in the database: insert, read, list, in force.

Publishing is ``cesp.zones.publication``; the communes entering and leaving between two
decrees, ``cesp.zones.diff``.

Decrees are never deleted or edited in place. The one change a decree row ever sees is
its closing: publishing a newer decree for the same region and profession sets the
previous one's ``effective_to`` to the day before the new one takes effect, its status
to ``superseded`` and ``superseded_by`` to the new decree.

A *complementary* decree (``complements`` = the id of the principal decree it amends)
adds zones to the region's principal decree of the same profession and stays in force
with it: publishing it closes nothing. It ends when its principal does: an arrêté
modificatif amends a given arrêté and has no object once that arrêté is replaced (the
new principal decree zones the whole region again, QPV included, under the method in
force: arrêté du 9 mai 2025, art. 2). Publishing the new principal therefore closes
the complementary decrees of the principal it supersedes on the same day, unless the
publisher re-attaches them (``keep_complementary``: the new principal keeps them in
force, as an ARS does when its new doctors' zoning leaves a separate QPV decree as it
is); the re-attachment is the one other change a decree row may see, and is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from shapely import wkb
from shapely.geometry import MultiPolygon

from cesp.errors import InvalidInputError, NotFoundError
from cesp.zones.decree_record import STATUSES, Decree
from cesp.zones.tables import decrees, zones
from cesp.zones.tables import zone_communes as zone_communes_table

if TYPE_CHECKING:  # building reads files (pandas, GDAL): not needed to list decrees
    from cesp.zones.building import DraftZone


@dataclass(frozen=True)
class Zone:
    """A zone of a decree."""

    id: int
    decree_id: int
    name: str
    category: str
    built_from: str
    population: int | None
    approximate: bool
    approximate_reason: str | None
    geometry: MultiPolygon | None
    priority: int = 0


@dataclass(frozen=True)
class ZoneCommune:
    """A commune covered by a zone of a decree."""

    zone_id: int
    code: str
    name: str
    population: int | None
    coverage: float
    approximate: bool


DECREE_COLUMNS = tuple(decrees.c)
"""The columns of a ``Decree``, in its fields' order."""


def decree_of(row: sa.Row[Any]) -> Decree:
    """A ``Decree`` from a row selected with ``DECREE_COLUMNS``."""
    return Decree(**row._mapping)


def insert_decree(
    conn: sa.Connection,
    fields: dict[str, Any],
    draft_zones: list[DraftZone],
    progress: Callable[[str, int, int], None] | None = None,
) -> Decree:
    """Insert a draft decree with its zones and covered communes (caller's transaction)."""
    decree_id = conn.execute(
        sa.insert(decrees)
        .values(
            {"complements": None, **fields, "imported_at": datetime.now(UTC), "status": "draft"}
        )
        .returning(decrees.c.id)
    ).scalar_one()
    insert_zone = (
        sa.insert(zones)
        .values(geom=sa.func.ST_GeomFromWKB(sa.bindparam("wkb"), 4326))
        .returning(zones.c.id)
    )
    links = []
    for done, zone in enumerate(draft_zones, start=1):
        if progress and (done % 200 == 0 or done == len(draft_zones)):
            progress("write", done, len(draft_zones))
        zone_id = conn.execute(
            insert_zone,
            {
                "decree_id": decree_id,
                "name": zone.name,
                "category": zone.category,
                "built_from": zone.built_from,
                "population": zone.population,
                "approximate": zone.approximate,
                "approximate_reason": "; ".join(zone.approximate_reasons) or None,
                "source_rows": ",".join(str(r) for r in zone.source_rows),
                "priority": zone.priority,
                "wkb": zone.geometry.wkb,
            },
        ).scalar_one()
        links += [
            {
                "zone_id": zone_id,
                "commune_code": c.code,
                "commune_name": c.name,
                "population": c.population,
                "coverage": c.coverage,
                "approximate": c.approximate,
            }
            for c in zone.communes
        ]
    if links:
        conn.execute(sa.insert(zone_communes_table), links)
    return get_decree(conn, decree_id)


def get_decree(conn: sa.Connection, decree_id: int) -> Decree:
    """One decree by id, or ``NotFoundError``."""
    row = conn.execute(sa.select(*DECREE_COLUMNS).where(decrees.c.id == decree_id)).first()
    if row is None:
        raise NotFoundError(
            f"No decree with id {decree_id}",
            message_fr=f"Aucun arrêté n°{decree_id}.",
            field="id",
        )
    return decree_of(row)


def find_decree(conn: sa.Connection, region: str, reference: str, profession: str) -> list[Decree]:
    """Decrees already imported under a region, reference and profession."""
    rows = conn.execute(
        sa.select(*DECREE_COLUMNS)
        .where(
            decrees.c.region_code == region,
            decrees.c.reference == reference,
            decrees.c.profession == profession,
        )
        .order_by(decrees.c.id)
    )
    return [decree_of(r) for r in rows]


def list_decrees(
    conn: sa.Connection,
    *,
    region: str | None = None,
    profession: str | None = None,
    status: str | None = None,
    on: date | None = None,
) -> list[Decree]:
    """Decrees filtered by region, profession, status, and being in force on a date."""
    if status is not None and status not in STATUSES:
        raise InvalidInputError(
            f"status={status!r} must be one of {', '.join(STATUSES)}",
            message_fr="Statut inconnu (draft, published, superseded).",
            field="status",
        )
    query = sa.select(*DECREE_COLUMNS).order_by(
        decrees.c.region_code, decrees.c.profession, decrees.c.effective_from, decrees.c.id
    )
    for column, value in (("region_code", region), ("profession", profession), ("status", status)):
        if value is not None:
            query = query.where(decrees.c[column] == value)
    found = [decree_of(r) for r in conn.execute(query)]
    return [d for d in found if d.in_force_on(on)] if on is not None else found


def decrees_in_force(
    conn: sa.Connection, on: date, profession: str, region: str | None = None
) -> list[Decree]:
    """Decrees applying on ``on`` for a profession: per region, the principal decree and
    the complementary decrees that amend it."""
    return list_decrees(conn, region=region, profession=profession, on=on)


def principal_in_force(
    conn: sa.Connection, on: date, profession: str, region: str
) -> Decree | None:
    """The region's principal decree for a profession on a date (complementary ones
    aside), or None."""
    principals = [d for d in decrees_in_force(conn, on, profession, region) if not d.complementary]
    return principals[-1] if principals else None


ZONE_COLUMNS = (
    zones.c.id,
    zones.c.decree_id,
    zones.c.name,
    zones.c.category,
    zones.c.built_from,
    zones.c.population,
    zones.c.approximate,
    zones.c.approximate_reason,
    zones.c.priority,
)
"""The columns of a ``Zone`` but its geometry (``ZONE_GEOMETRY``)."""
ZONE_GEOMETRY = sa.func.ST_AsBinary(zones.c.geom, type_=sa.LargeBinary).label("wkb")
"""The zone's geometry as WKB, which ``zone_of`` decodes."""


def zone_of(row: sa.Row[Any]) -> Zone:
    """A ``Zone`` from a row of ``ZONE_COLUMNS`` (and ``ZONE_GEOMETRY``, if selected)."""
    values = dict(row._mapping)
    blob = values.pop("wkb", None)
    return Zone(**values, geometry=wkb.loads(bytes(blob)) if blob is not None else None)


def decree_zones(
    conn: sa.Connection, decree_ids: list[int], *, with_geometry: bool = True
) -> list[Zone]:
    """Zones of the given decrees, in decree then name order."""
    if not decree_ids:
        return []
    columns = (*ZONE_COLUMNS, ZONE_GEOMETRY) if with_geometry else ZONE_COLUMNS
    rows = conn.execute(
        sa.select(*columns)
        .where(zones.c.decree_id.in_(decree_ids))
        .order_by(zones.c.decree_id, zones.c.name, zones.c.id)
    )
    return [zone_of(r) for r in rows]


def zone_communes(conn: sa.Connection, zone_ids: list[int]) -> list[ZoneCommune]:
    """Communes covered by the given zones."""
    table = zone_communes_table
    result = []
    for start in range(0, len(zone_ids), 900):
        rows = conn.execute(
            sa.select(
                table.c.zone_id,
                table.c.commune_code,
                table.c.commune_name,
                table.c.population,
                table.c.coverage,
                table.c.approximate,
            )
            .where(table.c.zone_id.in_(zone_ids[start : start + 900]))
            .order_by(table.c.commune_code)
        )
        result += [ZoneCommune(*r) for r in rows]
    return result

"""Decrees and their zones in the database: insert, publish, list, in force, diff.

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
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from shapely import wkb
from shapely.geometry import MultiPolygon

from cesp.audit import Actor, record
from cesp.errors import InvalidInputError, NotFoundError
from cesp.storage.versioning import bump_index_version

if TYPE_CHECKING:  # building reads files (pandas, GDAL): not needed to list decrees
    from cesp.zones.building import DraftZone

STATUSES = ("draft", "published", "superseded")
IN_FORCE_STATUSES = ("published", "superseded")


@dataclass(frozen=True)
class Decree:
    """An ARS zoning decree (arrêté)."""

    id: int
    region_code: str
    reference: str
    title: str
    signed: date
    effective_from: date
    effective_to: date | None
    profession: str
    zoning_method: str
    source_filename: str
    source_sha256: str
    source_format: str
    imported_by: str
    imported_at: datetime
    status: str
    published_at: datetime | None
    superseded_by: int | None
    notes: str | None
    complements: int | None = None

    @property
    def complementary(self) -> bool:
        """True for a decree that amends a principal decree instead of replacing it."""
        return self.complements is not None

    def in_force_on(self, on: date) -> bool:
        """Whether the decree applies on ``on`` (published or superseded, within dates)."""
        return (
            self.status in IN_FORCE_STATUSES
            and self.effective_from <= on
            and (self.effective_to is None or on <= self.effective_to)
        )


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


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


_DECREE_COLUMNS = (
    "id, region_code, reference, title, signed, effective_from, effective_to, profession, "
    "zoning_method, source_filename, source_sha256, source_format, imported_by, imported_at, "
    "status, published_at, superseded_by, notes, complements"
)


def _decree(row: Any) -> Decree:
    values = dict(row._mapping)
    for key in ("signed", "effective_from", "effective_to"):
        values[key] = _as_date(values[key])
    for key in ("imported_at", "published_at"):
        values[key] = _as_datetime(values[key])
    return Decree(**values)


def insert_decree(
    conn: sa.Connection,
    fields: dict[str, Any],
    zones: list[DraftZone],
    progress: Callable[[str, int, int], None] | None = None,
) -> Decree:
    """Insert a draft decree with its zones and covered communes (caller's transaction)."""
    row = conn.execute(
        sa.text(
            "INSERT INTO decrees (region_code, reference, title, signed, effective_from, "
            "effective_to, profession, zoning_method, source_filename, source_sha256, "
            "source_format, imported_by, imported_at, status, notes, complements) VALUES "
            "(:region_code, :reference, :title, :signed, :effective_from, :effective_to, "
            ":profession, :zoning_method, :source_filename, :source_sha256, :source_format, "
            ":imported_by, :imported_at, 'draft', :notes, :complements) RETURNING id"
        ),
        {"complements": None, **fields, "imported_at": datetime.now(UTC)},
    ).one()
    decree_id = int(row[0])
    insert_zone = sa.text(
        "INSERT INTO zones (decree_id, name, category, built_from, population, approximate, "
        "approximate_reason, source_rows, priority, geom) VALUES (:decree_id, :name, "
        ":category, :built_from, :population, :approximate, :reason, :rows, :priority, "
        "ST_GeomFromWKB(:wkb, 4326)) RETURNING id"
    )
    links = []
    for done, zone in enumerate(zones, start=1):
        if progress and (done % 200 == 0 or done == len(zones)):
            progress("write", done, len(zones))
        zone_id = conn.execute(
            insert_zone,
            {
                "decree_id": decree_id,
                "name": zone.name,
                "category": zone.category,
                "built_from": zone.built_from,
                "population": zone.population,
                "approximate": zone.approximate,
                "reason": "; ".join(zone.approximate_reasons) or None,
                "rows": ",".join(str(r) for r in zone.source_rows),
                "priority": zone.priority,
                "wkb": zone.geometry.wkb,
            },
        ).scalar_one()
        links += [
            {
                "zone_id": zone_id,
                "code": c.code,
                "name": c.name,
                "population": c.population,
                "coverage": c.coverage,
                "approximate": c.approximate,
            }
            for c in zone.communes
        ]
    if links:
        conn.execute(
            sa.text(
                "INSERT INTO zone_communes (zone_id, commune_code, commune_name, population, "
                "coverage, approximate) VALUES (:zone_id, :code, :name, :population, "
                ":coverage, :approximate)"
            ),
            links,
        )
    return get_decree(conn, decree_id)


def get_decree(conn: sa.Connection, decree_id: int) -> Decree:
    """One decree by id, or ``NotFoundError``."""
    row = conn.execute(
        sa.text(f"SELECT {_DECREE_COLUMNS} FROM decrees WHERE id = :id"), {"id": decree_id}
    ).first()
    if row is None:
        raise NotFoundError(
            f"No decree with id {decree_id}",
            message_fr=f"Aucun arrêté n°{decree_id}.",
            field="id",
        )
    return _decree(row)


def find_decree(conn: sa.Connection, region: str, reference: str, profession: str) -> list[Decree]:
    """Decrees already imported under a region, reference and profession."""
    rows = conn.execute(
        sa.text(
            f"SELECT {_DECREE_COLUMNS} FROM decrees WHERE region_code = :r AND reference = :ref "
            "AND profession = :p ORDER BY id"
        ),
        {"r": region, "ref": reference, "p": profession},
    )
    return [_decree(r) for r in rows]


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
    clauses, params = [], {}
    for column, value in (("region_code", region), ("profession", profession), ("status", status)):
        if value is not None:
            clauses.append(f"{column} = :{column}")
            params[column] = value
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = conn.execute(
        sa.text(
            f"SELECT {_DECREE_COLUMNS} FROM decrees {where} "
            "ORDER BY region_code, profession, effective_from, id"
        ),
        params,
    )
    decrees = [_decree(r) for r in rows]
    return [d for d in decrees if d.in_force_on(on)] if on is not None else decrees


def decrees_in_force(
    conn: sa.Connection, on: date, profession: str, region: str | None = None
) -> list[Decree]:
    """Decrees applying on ``on`` for a profession: per region, the principal decree and
    the complementary decrees that amend it."""
    return list_decrees(conn, region=region, profession=profession, on=on)


def _close(conn: sa.Connection, previous: Decree, by: Decree, closing: date) -> Decree:
    conn.execute(
        sa.text(
            "UPDATE decrees SET effective_to = :to, status = 'superseded', "
            "superseded_by = :by WHERE id = :id"
        ),
        {"to": closing, "by": by.id, "id": previous.id},
    )
    return get_decree(conn, previous.id)


def _reattach(conn: sa.Connection, decrees: list[Decree], to: Decree, actor: Actor) -> None:
    """Complementary decrees now amend ``to`` (they stay in force with it)."""
    for d in decrees:
        conn.execute(
            sa.text("UPDATE decrees SET complements = :to WHERE id = :id"),
            {"to": to.id, "id": d.id},
        )
        record(
            conn,
            actor,
            "decree.reattach",
            "decree",
            d.id,
            f"complementary decree {d.reference} now amends decree {to.reference} "
            f"(was {d.complements})",
            region=d.region_code,
            file_sha256=d.source_sha256,
        )


def _publish_complementary(conn: sa.Connection, decree: Decree) -> None:
    """A complementary decree is published beside its principal, which must be in force."""
    principal = get_decree(conn, decree.complements or 0)
    if principal.status != "published" or (
        principal.effective_to is not None and principal.effective_to < decree.effective_from
    ):
        raise InvalidInputError(
            f"decree {decree.reference} is complementary to decree {principal.reference}, which "
            f"is {principal.status} (until {principal.effective_to}): import it as "
            "complementary to the decree in force",
            message_fr=(
                f"L'arrêté {decree.reference} complète l'arrêté {principal.reference}, qui n'est "
                "plus en vigueur : importez-le comme complémentaire de l'arrêté en vigueur."
            ),
            field="complementary",
        )


def publish_decree(
    conn: sa.Connection, decree_id: int, actor: Actor, *, keep_complementary: bool = False
) -> tuple[Decree, list[Decree]]:
    """Publish a draft; close the decree(s) it supersedes. Returns (decree, superseded).

    A complementary decree closes nothing (see the module docstring); a principal decree
    closes the principal in force and the complementary decrees attached to it, or with
    ``keep_complementary`` attaches those to itself (they stay in force).

    Raises ``InvalidInputError`` when the decree is not a draft, when a published
    decree of the same region and profession starts on or after this one (publishing an
    older decree over a newer one would rewrite history), or when a complementary
    decree's principal is no longer in force.
    """
    decree = get_decree(conn, decree_id)
    if decree.status != "draft":
        raise InvalidInputError(
            f"decree {decree_id} is {decree.status}, only a draft can be published",
            message_fr=f"L'arrêté {decree.reference} est déjà {decree.status}.",
            field="status",
        )
    published = [
        d
        for d in list_decrees(conn, region=decree.region_code, profession=decree.profession)
        if d.status == "published" and d.id != decree.id
    ]
    current = [d for d in published if not d.complementary]
    later = [d for d in current if d.effective_from >= decree.effective_from]
    if decree.complementary:
        _publish_complementary(conn, decree)
        current, later = [], []
    if later:
        raise InvalidInputError(
            f"decree {later[0].reference} (from {later[0].effective_from}) is already "
            f"published for region {decree.region_code}; a decree taking effect on "
            f"{decree.effective_from} cannot be published over it",
            message_fr=(
                f"L'arrêté {later[0].reference} en vigueur à partir du "
                f"{later[0].effective_from.strftime('%d/%m/%Y')} est plus récent."
            ),
            field="effective_from",
        )
    closing = decree.effective_from - timedelta(days=1)
    superseded = []
    for previous in current:
        if previous.effective_to is not None and previous.effective_to < decree.effective_from:
            continue
        attached = [d for d in published if d.complements == previous.id]
        if keep_complementary:
            _reattach(conn, attached, decree, actor)
            attached = []
        for complement in attached:
            if complement.effective_from > closing:
                raise InvalidInputError(
                    f"complementary decree {complement.reference} takes effect on "
                    f"{complement.effective_from}, on or after {decree.effective_from}: it "
                    f"amends decree {previous.reference}, which this decree supersedes",
                    message_fr=(
                        f"L'arrêté complémentaire {complement.reference} prend effet après "
                        f"cet arrêté ; il complète l'arrêté {previous.reference} remplacé."
                    ),
                    field="effective_from",
                )
        superseded.append(_close(conn, previous, decree, closing))
        superseded += [_close(conn, c, decree, closing) for c in attached]
    conn.execute(
        sa.text("UPDATE decrees SET status = 'published', published_at = :at WHERE id = :id"),
        {"at": datetime.now(UTC), "id": decree.id},
    )
    bump_index_version(conn)
    closed = ", ".join(f"{d.reference} closed on {d.effective_to}" for d in superseded)
    record(
        conn,
        actor,
        "decree.publish",
        "decree",
        decree.id,
        f"decree {decree.reference} published, in force from {decree.effective_from}"
        + (f"; complements decree {decree.complements}" if decree.complementary else "")
        + (f"; supersedes {closed}" if closed else ""),
        region=decree.region_code,
        file_sha256=decree.source_sha256,
    )
    return get_decree(conn, decree.id), superseded


def principal_in_force(
    conn: sa.Connection, on: date, profession: str, region: str
) -> Decree | None:
    """The region's principal decree for a profession on a date (complementary ones
    aside), or None."""
    principals = [d for d in decrees_in_force(conn, on, profession, region) if not d.complementary]
    return principals[-1] if principals else None


def _zone(row: Any, with_geometry: bool) -> Zone:
    return Zone(
        id=row.id,
        decree_id=row.decree_id,
        name=row.name,
        category=row.category,
        built_from=row.built_from,
        population=row.population,
        approximate=bool(row.approximate),
        approximate_reason=row.approximate_reason,
        geometry=wkb.loads(bytes(row.wkb)) if with_geometry and row.wkb is not None else None,
        priority=int(row.priority or 0),
    )


def decree_zones(
    conn: sa.Connection, decree_ids: list[int], *, with_geometry: bool = True
) -> list[Zone]:
    """Zones of the given decrees, in decree then name order."""
    if not decree_ids:
        return []
    geometry = ", ST_AsBinary(geom) AS wkb" if with_geometry else ""
    rows = conn.execute(
        sa.text(
            "SELECT id, decree_id, name, category, built_from, population, approximate, "
            f"approximate_reason, priority{geometry} FROM zones WHERE decree_id IN :ids "
            "ORDER BY decree_id, name, id"
        ).bindparams(sa.bindparam("ids", expanding=True)),
        {"ids": decree_ids},
    )
    return [_zone(r, with_geometry) for r in rows]


def zone_communes(conn: sa.Connection, zone_ids: list[int]) -> list[ZoneCommune]:
    """Communes covered by the given zones."""
    if not zone_ids:
        return []
    result = []
    for start in range(0, len(zone_ids), 900):
        rows = conn.execute(
            sa.text(
                "SELECT zone_id, commune_code, commune_name, population, coverage, approximate "
                "FROM zone_communes WHERE zone_id IN :ids ORDER BY commune_code"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": zone_ids[start : start + 900]},
        )
        result += [
            ZoneCommune(
                r.zone_id,
                r.commune_code,
                r.commune_name,
                r.population,
                r.coverage,
                bool(r.approximate),
            )
            for r in rows
        ]
    return result


@dataclass(frozen=True)
class CommuneChange:
    """A commune entering or leaving the zoning between two decrees."""

    code: str
    name: str
    population: int | None


@dataclass(frozen=True)
class ZoningDiff:
    """Communes entering and leaving between decree A (before) and B (after)."""

    entering: list[CommuneChange]
    leaving: list[CommuneChange]
    kept: int

    @property
    def population_entering(self) -> int:
        """Population of the communes entering."""
        return sum(c.population or 0 for c in self.entering)

    @property
    def population_leaving(self) -> int:
        """Population of the communes leaving."""
        return sum(c.population or 0 for c in self.leaving)


def diff_communes(before: dict[str, CommuneChange], after: dict[str, CommuneChange]) -> ZoningDiff:
    """Entering and leaving communes between two commune sets keyed by INSEE code."""
    return ZoningDiff(
        entering=[after[c] for c in sorted(after.keys() - before.keys())],
        leaving=[before[c] for c in sorted(before.keys() - after.keys())],
        kept=len(after.keys() & before.keys()),
    )


def decree_communes(conn: sa.Connection, decree_id: int) -> dict[str, CommuneChange]:
    """Communes covered by a decree's zones, keyed by code."""
    zones = decree_zones(conn, [decree_id], with_geometry=False)
    return {
        c.code: CommuneChange(c.code, c.name, c.population)
        for c in zone_communes(conn, [z.id for z in zones])
    }


def diff_decrees(conn: sa.Connection, before_id: int, after_id: int) -> ZoningDiff:
    """``cesp zones diff A B``: communes entering and leaving from decree A to decree B."""
    return diff_communes(decree_communes(conn, before_id), decree_communes(conn, after_id))

"""Commune resolution: by point, by INSEE code at a date, and by name.

These are the domain functions behind ``/api/v1/communes`` and the CLI; they read the
rows built by ``cesp.geo.loader`` and raise domain errors only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import sqlalchemy as sa
from shapely import wkb
from shapely.geometry import MultiPolygon

from cesp.errors import InvalidInputError, OutsideTerritoryError
from cesp.geo.loaded import missing_code_error
from cesp.geo.tables import commune_units, departements
from cesp.storage.spatial import meets_bbox, meets_point

INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")

UNITS = commune_units.alias("t")
"""``commune_units`` as ``t``, the alias the spatial predicates of ``cesp.storage.spatial``
name."""
_DEPARTEMENTS = departements.alias("d")
UNIT_COLUMNS = (
    *(UNITS.c[name] for name in ("code", "kind", "name", "departement_code")),
    _DEPARTEMENTS.c.name.label("departement_name"),
    *(
        UNITS.c[name]
        for name in (
            "region_code",
            "parent_code",
            "population",
            "valid_from",
            "valid_to",
            "successor_codes",
            "end_event",
            "geometry_code",
            "approximate",
            "approximate_reason",
            "candidate_codes",
        )
    ),
)
"""The columns of a ``CommuneUnit`` but its geometry (``UNIT_GEOMETRY``)."""
UNIT_GEOMETRY = sa.func.ST_AsBinary(UNITS.c.geom, type_=sa.LargeBinary).label("wkb")
"""The unit's polygon as WKB, which ``unit_of`` decodes."""


def select_units(*extra: sa.ColumnElement[Any]) -> sa.Select[Any]:
    """``UNIT_COLUMNS`` (and ``extra``) of the commune units with their département's name."""
    joined = UNITS.outerjoin(_DEPARTEMENTS, _DEPARTEMENTS.c.code == UNITS.c.departement_code)
    return sa.select(*UNIT_COLUMNS, *extra).select_from(joined)


def valid_on(on: date) -> sa.ColumnElement[bool]:
    """The units in force on ``on`` (``valid_to`` is exclusive)."""
    return sa.and_(
        sa.or_(UNITS.c.valid_from.is_(None), UNITS.c.valid_from <= on),
        sa.or_(UNITS.c.valid_to.is_(None), UNITS.c.valid_to > on),
    )


@dataclass(frozen=True)
class CommuneUnit:
    """A commune, municipal arrondissement or former state of a commune."""

    code: str
    kind: str
    name: str
    departement_code: str
    departement_name: str | None
    region_code: str
    parent_code: str | None
    population: int | None
    valid_from: date | None
    valid_to: date | None
    successor_codes: tuple[str, ...]
    end_event: str | None
    geometry_code: str | None
    approximate: bool
    approximate_reason: str | None
    candidate_codes: tuple[str, ...]
    geometry: MultiPolygon | None = None

    @property
    def current(self) -> bool:
        """True for a unit that exists today (no end date)."""
        return self.valid_to is None


@dataclass(frozen=True)
class PointResolution:
    """The commune (and Paris arrondissement) under a point at a date.

    ``candidates`` lists the other units the point may belong to: communes sharing an
    approximate polygon (re-established communes, pre-2018 mergers) or the neighbour
    when the point lies exactly on a shared boundary.
    """

    lon: float
    lat: float
    on_date: date
    commune: CommuneUnit
    arrondissement: CommuneUnit | None
    candidates: tuple[CommuneUnit, ...]
    on_boundary: bool

    @property
    def approximate(self) -> bool:
        """True when the answer cannot name one commune for sure."""
        return self.commune.approximate or bool(self.candidates)


CodeStatus = Literal["in_force", "ended", "not_yet_created"]


@dataclass(frozen=True)
class CodeResolution:
    """What an INSEE code designated at a date, and where its territory lives today."""

    code: str
    on_date: date
    status: CodeStatus
    unit: CommuneUnit
    now: tuple[CommuneUnit, ...]


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v for v in (value or "").split(",") if v)


def unit_of(row: sa.Row[Any]) -> CommuneUnit:
    """A ``CommuneUnit`` from a row of ``select_units`` (with ``UNIT_GEOMETRY``, if
    selected)."""
    geometry = row._mapping.get("wkb")
    return CommuneUnit(
        code=row.code,
        kind=row.kind,
        name=row.name,
        departement_code=row.departement_code,
        departement_name=row.departement_name,
        region_code=row.region_code,
        parent_code=row.parent_code,
        population=row.population,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        successor_codes=_split(row.successor_codes),
        end_event=row.end_event,
        geometry_code=row.geometry_code,
        approximate=row.approximate,
        approximate_reason=row.approximate_reason,
        candidate_codes=_split(row.candidate_codes),
        geometry=wkb.loads(bytes(geometry)) if geometry else None,
    )


def validate_code(code: str) -> str:
    """Return a normalised INSEE commune code or raise ``InvalidInputError``."""
    normalized = code.strip().upper()
    if not INSEE_CODE.match(normalized):
        raise InvalidInputError(
            f"{code!r} is not an INSEE commune code: expected 5 characters such as 93027, "
            "2A004 or 97411",
            message_fr=f"« {code} » n'est pas un code commune INSEE (ex. 93027, 2A004).",
            field="code",
        )
    return normalized


def validate_lon_lat(lon: float, lat: float) -> None:
    """Raise ``InvalidInputError`` naming the field when a coordinate is out of range."""
    if not -180.0 <= lon <= 180.0:
        raise InvalidInputError(
            f"lon={lon} is outside [-180, 180]: give WGS84 degrees (lon 2.35 for Paris)",
            message_fr=f"lon={lon} hors de [-180, 180] : donnez des degrés WGS84 "
            "(lon 2.35 pour Paris).",
            field="lon",
        )
    if not -90.0 <= lat <= 90.0:
        raise InvalidInputError(
            f"lat={lat} is outside [-90, 90]: give WGS84 degrees (lat 48.85 for Paris)",
            message_fr=f"lat={lat} hors de [-90, 90] : donnez des degrés WGS84 "
            "(lat 48.85 pour Paris).",
            field="lat",
        )


def _point_units(
    conn: sa.Connection, kind: str, lon: float, lat: float, on: date
) -> list[sa.Row[Any]]:
    under = meets_point(conn.dialect.name, "commune_units", lon, lat, UNITS.name)
    query = select_units().where(UNITS.c.kind == kind, valid_on(on), under)
    return list(conn.execute(query.order_by(UNITS.c.code)))


def _primary(units: list[CommuneUnit]) -> CommuneUnit:
    """The unit to name first: an exact polygon, else the owner of the shared polygon."""
    return min(
        units,
        key=lambda u: (u.approximate, u.code != u.geometry_code, not u.current, u.code),
    )


def resolve_point(
    conn: sa.Connection, lon: float, lat: float, on_date: date | None = None
) -> PointResolution:
    """The commune under a WGS84 point, as it was on ``on_date`` (default: today).

    Raises
    ------
    InvalidInputError
        Coordinates out of range.
    OutsideTerritoryError
        No loaded commune covers the point (sea, abroad, or département not loaded).
    """
    validate_lon_lat(lon, lat)
    on = on_date or date.today()
    units = [unit_of(r) for r in _point_units(conn, "commune", lon, lat, on)]
    if not units:
        raise OutsideTerritoryError(
            f"No commune at lon={lon}, lat={lat} on {on.isoformat()}: the point is outside "
            "France or in a département whose reference data is not loaded",
            message_fr="Ce point n'est dans aucune commune française chargée.",
            field="lon",
        )
    primary = _primary(units)
    others = tuple(u for u in units if u is not primary)
    exact = [u for u in units if not u.approximate]
    arrondissements = [
        unit_of(r)
        for r in _point_units(conn, "arrondissement", lon, lat, on)
        if r.parent_code == primary.code
    ]
    return PointResolution(
        lon=lon,
        lat=lat,
        on_date=on,
        commune=primary,
        arrondissement=arrondissements[0] if arrondissements else None,
        candidates=others,
        on_boundary=len(exact) > 1 or len(arrondissements) > 1,
    )


def _units_by_code(conn: sa.Connection, code: str, with_geometry: bool) -> list[CommuneUnit]:
    query = select_units(UNIT_GEOMETRY) if with_geometry else select_units()
    return [unit_of(r) for r in conn.execute(query.where(UNITS.c.code == code))]


def _covers(unit: CommuneUnit, on: date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= on) and (
        unit.valid_to is None or unit.valid_to > on
    )


def _current_heirs(conn: sa.Connection, unit: CommuneUnit, depth: int = 0) -> list[CommuneUnit]:
    """Today's communes holding the territory of a former unit (follows chains)."""
    if unit.current or depth > 20:
        return [unit] if unit.current else []
    heirs: dict[str, CommuneUnit] = {}
    for successor in unit.successor_codes:
        assert unit.valid_to is not None
        ended_on = unit.valid_to
        nxt = next(
            (u for u in _units_by_code(conn, successor, False) if _covers(u, ended_on)), None
        )
        if nxt is None:
            continue
        for heir in _current_heirs(conn, nxt, depth + 1):
            heirs.setdefault(heir.code, heir)
    # After a split, a code that exists again today holds its own territory (Villotran,
    # 60694, merged in 2019 and the code of Les Hauts-Talican since the 2024 split).
    if unit.code in heirs and depth == 0 and len(heirs) > 1:
        return [heirs[unit.code]]
    return list(heirs.values())


def resolve_code(
    conn: sa.Connection,
    code: str,
    on_date: date | None = None,
    *,
    with_geometry: bool = False,
) -> CodeResolution:
    """What ``code`` designated on ``on_date`` (default: today) and where it lives now.

    A code in force at the date answers with that state of the commune (a 2012 code
    answers with the 2012 commune: its own polygon when the data has it, or the
    absorbing commune's, flagged approximate). A code no longer in force answers with
    its last state before the date (status ``ended``) and, in ``now``, the communes of
    today that hold its territory ("merged into 91390 on 2019-01-01").
    """
    code = validate_code(code)
    on = on_date or date.today()
    units = _units_by_code(conn, code, with_geometry)
    if not units:
        raise missing_code_error(conn, code)
    communes = [u for u in units if u.kind == "commune"] or units
    in_force = [u for u in communes if _covers(u, on)]
    status: CodeStatus
    if in_force:
        unit, status = max(in_force, key=lambda u: u.valid_from or date.min), "in_force"
    else:
        ended = [u for u in communes if u.valid_to is not None and u.valid_to <= on]
        if ended:
            unit, status = max(ended, key=lambda u: u.valid_to or date.min), "ended"
        else:
            unit, status = min(communes, key=lambda u: u.valid_from or date.min), "not_yet_created"
    now = tuple(_current_heirs(conn, unit)) if not unit.current else ()
    return CodeResolution(code=code, on_date=on, status=status, unit=unit, now=now)


def units_by_codes(
    conn: sa.Connection, codes: list[str], *, with_geometry: bool = True
) -> dict[str, list[CommuneUnit]]:
    """Every unit (all dates, communes and arrondissements) of each code, in bulk."""
    query = select_units(UNIT_GEOMETRY) if with_geometry else select_units()
    result: dict[str, list[CommuneUnit]] = {}
    unique = sorted(set(codes))
    for start in range(0, len(unique), 500):
        for row in conn.execute(query.where(UNITS.c.code.in_(unique[start : start + 500]))):
            unit = unit_of(row)
            result.setdefault(unit.code, []).append(unit)
    return result


def unit_at(units: list[CommuneUnit], on: date) -> CommuneUnit | None:
    """The unit among ``units`` (one code) in force on ``on``, communes first."""
    valid = [u for u in units if _covers(u, on)]
    valid.sort(key=lambda u: (u.kind != "commune", -(u.valid_from or date.min).toordinal()))
    return valid[0] if valid else None


def units_in_bbox(
    conn: sa.Connection,
    bbox: tuple[float, float, float, float],
    on: date,
    *,
    kind: str = "commune",
) -> list[CommuneUnit]:
    """Units in force on ``on`` whose bounding box meets ``bbox`` (WGS84), with geometry."""
    meets = meets_bbox(conn.dialect.name, "commune_units", bbox, UNITS.name)
    query = select_units(UNIT_GEOMETRY).where(
        UNITS.c.kind == kind, valid_on(on), UNITS.c.geom.is_not(None), meets
    )
    return [unit_of(r) for r in conn.execute(query)]

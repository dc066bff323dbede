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
from cesp.geo.names import name_key
from cesp.storage.spatial import bbox_intersects, point_intersects

INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")

_COLUMNS = (
    "t.code, t.kind, t.name, t.departement_code, d.name AS departement_name, t.region_code, "
    "t.parent_code, t.population, t.valid_from, t.valid_to, t.successor_codes, t.end_event, "
    "t.geometry_code, t.approximate, t.approximate_reason, t.candidate_codes"
)
_FROM = "FROM commune_units t LEFT JOIN departements d ON d.code = t.departement_code"
_VALID_AT = (
    "(t.valid_from IS NULL OR t.valid_from <= :on) AND (t.valid_to IS NULL OR t.valid_to > :on)"
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


def _unit(row: Any, geometry: bytes | None = None) -> CommuneUnit:
    return CommuneUnit(
        code=row.code,
        kind=row.kind,
        name=row.name,
        departement_code=row.departement_code,
        departement_name=row.departement_name,
        region_code=row.region_code,
        parent_code=row.parent_code,
        population=row.population,
        valid_from=_as_date(row.valid_from),
        valid_to=_as_date(row.valid_to),
        successor_codes=_split(row.successor_codes),
        end_event=row.end_event,
        geometry_code=row.geometry_code,
        approximate=bool(row.approximate),
        approximate_reason=row.approximate_reason,
        candidate_codes=_split(row.candidate_codes),
        geometry=wkb.loads(bytes(geometry)) if geometry else None,
    )


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


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
            message_fr="Longitude hors de [-180, 180] (degrés WGS84).",
            field="lon",
        )
    if not -90.0 <= lat <= 90.0:
        raise InvalidInputError(
            f"lat={lat} is outside [-90, 90]: give WGS84 degrees (lat 48.85 for Paris)",
            message_fr="Latitude hors de [-90, 90] (degrés WGS84).",
            field="lat",
        )


def _point_units(conn: sa.Connection, kind: str, lon: float, lat: float, on: date) -> list[Any]:
    sql = (
        f"SELECT {_COLUMNS} {_FROM} WHERE t.kind = :kind AND {_VALID_AT} AND "
        f"{point_intersects(conn.dialect.name, 'commune_units')} ORDER BY t.code"
    )
    return list(conn.execute(sa.text(sql), {"kind": kind, "lon": lon, "lat": lat, "on": on}))


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
    units = [_unit(r) for r in _point_units(conn, "commune", lon, lat, on)]
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
        _unit(r)
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
    geometry = ", ST_AsBinary(t.geom) AS wkb" if with_geometry else ""
    rows = conn.execute(
        sa.text(f"SELECT {_COLUMNS}{geometry} {_FROM} WHERE t.code = :code"), {"code": code}
    )
    return [_unit(r, r.wkb if with_geometry else None) for r in rows]


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


@dataclass(frozen=True)
class NameMatch:
    """A commune found by name, with the rank that ordered it."""

    unit: CommuneUnit
    rank: int


def search_names(
    conn: sa.Connection,
    query: str,
    *,
    departement: str | None = None,
    limit: int = 10,
    include_former: bool = False,
) -> list[NameMatch]:
    """Communes whose name matches ``query``, tolerant of case, accents, hyphens and
    the leading article; ranked exact, then prefix, then word prefix, then substring,
    communes before arrondissements, larger population first.
    """
    key = re.sub(r"[^a-z0-9 ]", "", name_key(query))
    if len(key.replace(" ", "")) < 2:
        raise InvalidInputError(
            f"Search text {query!r} is too short: give at least 2 letters of a commune name",
            message_fr="Saisissez au moins 2 lettres du nom de la commune.",
            field="q",
        )
    if not 1 <= limit <= 100:
        raise InvalidInputError(
            f"limit={limit} must be between 1 and 100",
            message_fr="limit doit être compris entre 1 et 100.",
            field="limit",
        )
    params: dict[str, Any] = {}
    clauses = []
    for i, token in enumerate(key.split()):
        clauses.append(f"t.name_key LIKE :tok{i}")
        params[f"tok{i}"] = f"%{token}%"
    if not include_former:
        clauses.append("t.valid_to IS NULL")
    if departement:
        clauses.append("t.departement_code = :dep")
        params["dep"] = departement.strip().upper()
    rows = conn.execute(
        sa.text(f"SELECT {_COLUMNS}, t.name_key {_FROM} WHERE {' AND '.join(clauses)}"), params
    )
    matches = []
    for row in rows:
        k = row.name_key
        rank = 0 if k == key else 1 if k.startswith(key) else 2 if f" {key}" in f" {k}" else 3
        matches.append(NameMatch(_unit(row), rank))
    matches.sort(
        key=lambda m: (
            m.rank,
            m.unit.kind != "commune",
            not m.unit.current,
            -(m.unit.population or 0),
            m.unit.name,
        )
    )
    return matches[:limit]


def units_by_codes(
    conn: sa.Connection, codes: list[str], *, with_geometry: bool = True
) -> dict[str, list[CommuneUnit]]:
    """Every unit (all dates, communes and arrondissements) of each code, in bulk."""
    geometry = ", ST_AsBinary(t.geom) AS wkb" if with_geometry else ""
    result: dict[str, list[CommuneUnit]] = {}
    unique = sorted(set(codes))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        rows = conn.execute(
            sa.text(f"SELECT {_COLUMNS}{geometry} {_FROM} WHERE t.code IN :codes").bindparams(
                sa.bindparam("codes", expanding=True)
            ),
            {"codes": chunk},
        )
        for row in rows:
            unit = _unit(row, row.wkb if with_geometry else None)
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
    minx, miny, maxx, maxy = bbox
    sql = (
        f"SELECT {_COLUMNS}, ST_AsBinary(t.geom) AS wkb {_FROM} WHERE t.kind = :kind AND "
        f"{_VALID_AT} AND t.geom IS NOT NULL AND "
        f"{bbox_intersects(conn.dialect.name, 'commune_units')}"
    )
    params = {"kind": kind, "on": on, "minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy}
    return [_unit(r, r.wkb) for r in conn.execute(sa.text(sql), params)]


def region_outline(conn: sa.Connection, region_code: str) -> MultiPolygon | None:
    """The outline of a region from the loaded départements, or None if not loaded."""
    row = conn.execute(
        sa.text("SELECT ST_AsBinary(geom) FROM regions WHERE code = :c"), {"c": region_code}
    ).first()
    if row is None or row[0] is None:
        return None
    geometry = wkb.loads(bytes(row[0]))
    return geometry if isinstance(geometry, MultiPolygon) else None

"""Load the reference geography into the database: ``cesp geo load``.

Build, then serve: this module turns the reference files (COG 2026 metadata and
populations, COG 2018 boundaries, Paris arrondissements) into clean rows; requests
only read those rows. The load runs in one transaction (all or nothing) and is
idempotent: a load whose inputs have the fingerprint of the last load changes nothing.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyogrio
import sqlalchemy as sa
from shapely.geometry import MultiPolygon
from sqlalchemy.engine import Engine

from cesp.errors import InvalidInputError
from cesp.geo import cog
from cesp.geo.admin_areas import write_admin_areas
from cesp.geo.boundaries import (
    PARIS_ARRONDISSEMENTS,
    boundary_files,
    departement_of,
    read_boundaries,
    read_paris_arrondissements,
)
from cesp.geo.geometry import union_multipolygon
from cesp.geo.history import Reconciliation, Territory, reconcile
from cesp.geo.names import name_key
from cesp.geo.tables import commune_units, reference_loads
from cesp.storage.engine import write_transaction
from cesp.storage.schema import require_current
from cesp.storage.versioning import bump_index_version

LOADER_VERSION = "1"
PARIS = "75056"

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class LoadReport:
    """What a load did, for the CLI and the journal."""

    unchanged: bool
    departements: tuple[str, ...]
    communes: int
    arrondissements: int
    former_units: int
    approximate_units: int
    seconds: float


def _noop(_stage: str, _done: int, _total: int) -> None:
    return None


def parse_departements(value: str | Iterable[str] | None, known: set[str]) -> tuple[str, ...]:
    """Validate a ``75,92,93`` selection against the COG; empty means all of France."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    codes = tuple(sorted({item.strip().upper() for item in items if item.strip()}))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidInputError(
            f"Unknown département code(s) {', '.join(unknown)}: use INSEE codes such as 75, "
            "2A, 974",
            message_fr=f"Code(s) de département inconnu(s) : {', '.join(unknown)}",
            field="departements",
        )
    return codes


def _fingerprint(data_dir: Path, departements: tuple[str, ...]) -> str:
    digest = hashlib.sha256(f"v{LOADER_VERSION}|{','.join(departements)}".encode())
    paths = [data_dir / rel for rel in cog.COG_FILES.values()]
    paths += boundary_files(data_dir, set(departements) or None)
    paths.append(data_dir / PARIS_ARRONDISSEMENTS)
    for path in paths:
        digest.update(path.name.encode())
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _read_codes(path: Path) -> set[str]:
    frame = pyogrio.read_dataframe(path, columns=["code"], read_geometry=False)
    return {str(code) for code in frame["code"]}


def _read_polygons(
    data_dir: Path, departements: set[str] | None, progress: Progress
) -> tuple[dict[str, MultiPolygon], set[str]]:
    """Polygons of the selected départements, and the codes of every polygon in the data."""
    files = boundary_files(data_dir)
    selected = [f for f in files if not departements or f.name.split("-", 1)[0] in departements]
    others = [f for f in files if f not in selected]
    polygons: dict[str, MultiPolygon] = {}
    codes: set[str] = set()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for done, part in enumerate(pool.map(read_boundaries, selected), start=1):
            polygons.update(part)
            progress("boundaries", done, len(selected))
        for part_codes in pool.map(_read_codes, others):
            codes |= part_codes
    return polygons, codes | polygons.keys()


class _Territories:
    """Polygons of territories (unions cached by their parts)."""

    def __init__(self, polygons: dict[str, MultiPolygon], data_dir: Path):
        self.polygons = polygons
        self.data_dir = data_dir
        self.cache: dict[frozenset[str], MultiPolygon | None] = {}

    def geometry(self, territory: Territory) -> MultiPolygon | None:
        parts = territory.parts
        if parts not in self.cache:
            missing = {departement_of(p) for p in parts if p not in self.polygons}
            for path in boundary_files(self.data_dir, missing) if missing else ():
                self.polygons.update(read_boundaries(path))
            geoms = [self.polygons[p] for p in sorted(parts) if p in self.polygons]
            self.cache[parts] = union_multipolygon(list(geoms))
        return self.cache[parts]


def _unit_row(
    *,
    code: str,
    kind: str,
    name: str,
    departement: str,
    region: str,
    geometry: MultiPolygon | None,
    territory: Territory | None = None,
    **extra: Any,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "code": code,
        "kind": kind,
        "name": name,
        "name_key": name_key(name),
        "departement_code": departement,
        "region_code": region,
        "parent_code": None,
        "population": None,
        "valid_from": None,
        "valid_to": None,
        "successor_codes": None,
        "end_event": None,
        "geometry_code": territory.geometry_code if territory else code,
        "approximate": bool(territory and territory.approximate),
        "approximate_reason": territory.approximate_reason if territory else None,
        "candidate_codes": ",".join(territory.candidates) if territory else None,
        "wkb": geometry.wkb if geometry is not None else None,
    }
    row.update(extra)
    return row


def build_rows(
    data_dir: Path,
    departements: tuple[str, ...],
    progress: Progress = _noop,
) -> tuple[list[dict[str, Any]], Reconciliation]:
    """Rows of ``commune_units`` for the selected départements (all when empty)."""
    scope = set(departements) or None
    communes = cog.read_communes(data_dir)
    populations = cog.read_populations(data_dir)
    dep_region = {d.code: d.region or "" for d in cog.read_departements(data_dir)}
    polygons, polygon_codes = _read_polygons(data_dir, scope, progress)
    current = {c.code: c for c in communes if c.type == "COM"}
    reconciliation = reconcile(cog.read_movements(data_dir), polygon_codes, set(current))
    territories = _Territories(polygons, data_dir)
    for c in communes:
        if c.type == "ARM" and c.parent in current:
            populations[c.parent] = populations.get(c.parent, 0) + populations.get(c.code, 0)

    rows: list[dict[str, Any]] = []
    in_scope = [c for c in current.values() if not scope or c.departement in scope]
    for done, commune in enumerate(in_scope, start=1):
        territory = reconciliation.current[commune.code]
        rows.append(
            _unit_row(
                code=commune.code,
                kind="commune",
                name=commune.name,
                departement=commune.departement,
                region=commune.region,
                geometry=territories.geometry(territory),
                territory=territory,
                population=populations.get(commune.code),
                valid_from=reconciliation.current_since.get(commune.code),
            )
        )
        if done % 2000 == 0 or done == len(in_scope):
            progress("communes", done, len(in_scope))

    arrondissements = {}
    if not scope or "75" in scope:
        arrondissements = read_paris_arrondissements(data_dir)
    for c in communes:
        if c.type != "ARM" or (scope and c.departement not in scope):
            continue
        geometry = arrondissements.get(c.code)
        rows.append(
            _unit_row(
                code=c.code,
                kind="arrondissement",
                name=c.name,
                departement=c.departement,
                region=c.region,
                geometry=geometry,
                parent_code=c.parent,
                population=populations.get(c.code),
                approximate=geometry is None,
                approximate_reason=None
                if geometry is not None
                else "arrondissement boundaries are not in the reference data",
            )
        )

    former = reconciliation.former
    for done, unit in enumerate(former, start=1):
        heir = next((current[s] for s in unit.successors if s in current), None)
        departement = heir.departement if heir else departement_of(unit.code)
        if scope and departement not in scope:
            continue
        rows.append(
            _unit_row(
                code=unit.code,
                kind="commune",
                name=unit.name,
                departement=departement,
                region=dep_region.get(departement, heir.region if heir else ""),
                geometry=territories.geometry(unit.territory),
                territory=unit.territory,
                valid_from=unit.valid_from,
                valid_to=unit.valid_to,
                successor_codes=",".join(unit.successors),
                end_event=unit.event,
            )
        )
        if done % 2000 == 0 or done == len(former):
            progress("history", done, len(former))
    return rows, reconciliation


_INSERT_UNIT = sa.insert(commune_units).values(
    geom=sa.func.ST_GeomFromWKB(sa.bindparam("wkb", type_=sa.LargeBinary), 4326)
)


def load_reference(
    engine: Engine,
    data_dir: Path,
    departements: str | Iterable[str] | None = None,
    *,
    force: bool = False,
    progress: Progress = _noop,
) -> LoadReport:
    """Load regions, départements, communes and their history, in one transaction.

    Parameters
    ----------
    engine
        A SpatiaLite or PostGIS engine whose schema is current.
    data_dir
        The reference data directory (``CESP_DATA_DIR``).
    departements
        ``"75,92,93"`` or an iterable of codes; None or empty loads all of France. Rows of
        other départements already in the database are kept.
    force
        Reload even when the inputs match the last load.
    progress
        Called with ``(stage, done, total)`` as the load advances.
    """
    started = time.perf_counter()
    require_current(engine)
    known = {d.code for d in cog.read_departements(data_dir)}
    scope = parse_departements(departements, known)
    fingerprint = _fingerprint(data_dir, scope)
    scope_label = ",".join(scope) or "all"
    with engine.connect() as conn:
        loads = reference_loads.c
        last = conn.execute(
            sa.select(
                loads.departements,
                loads.fingerprint,
                loads.communes,
                loads.former_units,
                loads.approximate_units,
            )
            .order_by(loads.id.desc())
            .limit(1)
        ).first()
    if not force and last is not None and tuple(last[:2]) == (scope_label, fingerprint):
        return LoadReport(True, scope, last[2], 0, last[3], last[4], time.perf_counter() - started)

    rows, _ = build_rows(data_dir, scope, progress)
    communes = sum(1 for r in rows if r["kind"] == "commune" and r["valid_to"] is None)
    arrondissements = sum(1 for r in rows if r["kind"] == "arrondissement")
    former = sum(1 for r in rows if r["valid_to"] is not None)
    approximate = sum(1 for r in rows if r["approximate"])
    with write_transaction(engine) as conn:
        removed = sa.delete(commune_units)
        if scope:
            removed = removed.where(commune_units.c.departement_code.in_(scope))
        conn.execute(removed)
        batch = 5000
        for start in range(0, len(rows), batch):
            conn.execute(_INSERT_UNIT, rows[start : start + batch])
            progress("database", min(start + batch, len(rows)), len(rows))
        write_admin_areas(conn, data_dir, rows, scope)
        bump_index_version(conn)
        seconds = time.perf_counter() - started
        conn.execute(
            sa.insert(reference_loads).values(
                loaded_at=datetime.now(UTC),
                data_dir=str(data_dir),
                departements=scope_label,
                fingerprint=fingerprint,
                communes=communes,
                former_units=former,
                approximate_units=approximate,
                seconds=seconds,
            )
        )
    return LoadReport(
        False,
        scope,
        communes,
        arrondissements,
        former,
        approximate,
        time.perf_counter() - started,
    )

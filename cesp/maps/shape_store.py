"""Simplified shapes of the map layers, per zoom level, kept in memory and on disk.

Why: the national map draws the 889 zones of 13 decrees. Simplifying them costs
seconds (checking that a decree's zones form a coverage is the largest part, then
``coverage_simplify``), far more than the page's budget; yet a decree's zones never
change once imported (decrees are never edited, only closed), and the départements
change only with a reference load. So each decree's zones are simplified once per zoom
level, on first use or ahead of it (``warm``, after a publication), and kept:

- in memory, for the life of the process (least recently used first out);
- on disk, in ``CESP_MAP_CACHE_DIR`` (default ``cache/maps`` in the data folder), so
  that a new process or worker starts with them: after a publication only the new
  decree's zones are simplified.

What is kept is the finished GeoJSON geometry (coordinates rounded for the zoom), with
each shape's bounds for bounding-box requests: a request that finds its shapes reads
no geometry from the database at all.

File format: one line of JSON header (``format``, ``key``, ``sha256`` of the rest),
then the payload as JSON. A file is written under a temporary name and renamed into
place, so a reader sees a whole file or none; one whose key or checksum does not match
(another database's decree under the same id, a torn write) is rebuilt and replaced.
JSON, not pickle: reading a file planted in the directory cannot run code.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import sqlalchemy as sa
from shapely import wkb
from shapely.geometry.base import BaseGeometry

from cesp.geo.tables import departements, reference_loads
from cesp.maps.simplify import (
    FULL_DETAIL_ZOOM,
    MIN_ZOOM,
    clamp_zoom,
    decimals_for_tolerance,
    forms_coverage,
    round_coordinates,
    simplify_coverage,
    tolerance_for_zoom,
)
from cesp.zones.decrees import Decree, decree_zones, get_decree

FORMAT = "cesp-map-shapes/1"
ZOOMS = range(MIN_ZOOM, FULL_DETAIL_ZOOM + 1)
log = logging.getLogger(__name__)
Bounds = tuple[float, float, float, float]


@dataclass(frozen=True)
class Shape:
    """One simplified shape: its key (zone id, département code), bounds, GeoJSON."""

    key: int | str
    bounds: Bounds | None
    geometry: dict[str, Any] | None
    name: str = ""


def shapes_of(
    keys: list[int | str],
    geometries: list[BaseGeometry | None],
    zoom: int,
    names: list[str],
    is_coverage: bool | None = None,
) -> list[Shape]:
    """Simplify ``geometries`` together for ``zoom`` (as a coverage when they form one,
    ``is_coverage`` if already known) and round them: the shapes as the map draws them."""
    tolerance = tolerance_for_zoom(zoom)
    decimals = decimals_for_tolerance(tolerance)
    simplified = simplify_coverage(geometries, tolerance, is_coverage)
    shapes = []
    for key, name, shape in zip(keys, names, simplified, strict=True):
        if shape is None or shape.is_empty:
            shapes.append(Shape(key, None, None, name))
            continue
        rounded = round_coordinates(shape, decimals)
        bounds = tuple(float(v) for v in shape.bounds)
        shapes.append(Shape(key, bounds, json.loads(shapely.to_geojson(rounded)), name))  # type: ignore[arg-type]
    return shapes


def _decree_key(decree: Decree) -> str:
    """Decree id and import time: a database rebuilt from scratch may reuse an id."""
    stamp = hashlib.sha256(decree.imported_at.isoformat().encode()).hexdigest()[:12]
    return f"decree-{decree.id}-{stamp}"


def _geography_key(conn: sa.Connection, region: str | None) -> str:
    """The last reference load (its id, fingerprint and time) and the region."""
    t = reference_loads
    row = conn.execute(
        # The stamp keys files on disk: the load time as the database holds it (text on
        # SQLite), not parsed, so that the files of earlier versions keep their names.
        sa.select(t.c.id, t.c.fingerprint, sa.type_coerce(t.c.loaded_at, sa.String))
        .order_by(t.c.id.desc())
        .limit(1)
    ).first()
    load = "none" if row is None else f"{row[0]}-{row[1]}-{row[2]}"
    stamp = hashlib.sha256(load.encode()).hexdigest()[:12]
    return f"departements-{region or 'all'}-{stamp}"


class ShapeStore:
    """Simplified zones of decrees and départements per zoom level (memory, then disk).

    Parameters
    ----------
    directory
        Where files are kept between processes; None: in memory only.
    capacity
        Entries (one per decree or région and zoom) kept in memory.
    """

    def __init__(self, directory: Path | None = None, capacity: int = 512):
        self.directory = directory
        self.capacity = capacity
        self._entries: OrderedDict[str, list[Shape]] = OrderedDict()
        self._coverages: dict[str, bool] = {}
        self._lock = threading.Lock()
        self.built = 0  # entries simplified by this process (the benchmark reads it)

    def zones(self, conn: sa.Connection, decree: Decree, zoom: float) -> dict[int, Shape]:
        """The decree's zones simplified for ``zoom``, by zone id."""
        level = clamp_zoom(zoom)
        key = f"{_decree_key(decree)}-z{level}"

        def build() -> list[Shape]:
            zones = decree_zones(conn, [decree.id])
            geometries = [z.geometry for z in zones]
            coverage = self._coverage(decree, geometries)
            return shapes_of(
                [z.id for z in zones], geometries, level, [z.name for z in zones], coverage
            )

        return {int(s.key): s for s in self._get(key, build)}

    def _coverage(self, decree: Decree, geometries: list[BaseGeometry | None]) -> bool:
        """Whether the decree's zones form a coverage (no overlap), computed once per
        decree: every zoom level needs it."""
        key = f"{_decree_key(decree)}-coverage"
        found = self._coverages.get(key)
        if found is None:
            stored = self._read(key)
            if isinstance(stored, bool):
                found = stored
            else:
                present = [g for g in geometries if g is not None and not g.is_empty]
                found = forms_coverage(present)
                self._write_payload(key, found)
            self._coverages[key] = found
        return found

    def departements(self, conn: sa.Connection, zoom: float, region: str | None) -> list[Shape]:
        """Départements (of a region, or all loaded), simplified for ``zoom``, by code."""
        level = clamp_zoom(zoom)
        key = f"{_geography_key(conn, region)}-z{level}"

        def build() -> list[Shape]:
            query = sa.select(
                departements.c.code,
                departements.c.name,
                sa.func.ST_AsBinary(departements.c.geom, type_=sa.LargeBinary).label("wkb"),
            ).order_by(departements.c.code)
            if region:
                query = query.where(departements.c.region_code == region)
            rows = [r for r in conn.execute(query) if r.wkb is not None]
            return shapes_of(
                [r.code for r in rows],
                [wkb.loads(bytes(r.wkb)) for r in rows],
                level,
                [r.name for r in rows],
            )

        return self._get(key, build)

    def warm(
        self,
        conn: sa.Connection,
        decrees: Iterable[Decree],
        zooms: Iterable[int] = ZOOMS,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Simplify and keep the zones of ``decrees`` at every zoom level now (after a
        publication, so that no visitor waits for them); returns the entries built."""
        todo = [(d, z) for d in decrees for z in zooms]
        before = self.built
        for done, (decree, zoom) in enumerate(todo, start=1):
            self.zones(conn, decree, zoom)
            if progress:
                progress(done, len(todo))
        return self.built - before

    def _get(self, key: str, build: Callable[[], list[Shape]]) -> list[Shape]:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        stored = self._read(key)
        found = _decode_shapes(stored) if isinstance(stored, list) else None
        if found is None:
            found = build()
            self.built += 1
            self._write_payload(key, [[s.key, s.bounds, s.geometry, s.name] for s in found])
        with self._lock:
            self._entries[key] = found
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        return found

    def _path(self, key: str) -> Path | None:
        return None if self.directory is None else self.directory / f"{key}.json"

    def _read(self, key: str) -> Any:
        path = self._path(key)
        if path is None or not path.is_file():
            return None
        try:
            data = path.read_bytes()
            head, _, payload = data.partition(b"\n")
            header = json.loads(head)
            if header.get("format") != FORMAT or header.get("key") != key:
                return None
            if hashlib.sha256(payload).hexdigest() != header.get("sha256"):
                raise ValueError("checksum mismatch (truncated or damaged file)")
            return json.loads(payload)
        except (OSError, ValueError, TypeError) as error:
            log.warning("map shapes %s unreadable, rebuilt: %s", path, error)
            return None

    def _write_payload(self, key: str, value: Any) -> None:
        path = self._path(key)
        if path is None:
            return
        payload = json.dumps(value, separators=(",", ":")).encode()
        header = json.dumps(
            {"format": FORMAT, "key": key, "sha256": hashlib.sha256(payload).hexdigest()}
        ).encode()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(
                dir=path.parent, prefix=path.name + ".", suffix=".tmp"
            )
        except OSError as error:
            log.warning("map shapes not kept on disk (%s): %s", path.parent, error)
            return
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(header + b"\n" + payload)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise


def _decode_shapes(rows: list[Any]) -> list[Shape] | None:
    try:
        return [Shape(k, tuple(b) if b else None, g, n) for k, b, g, n in rows]
    except (TypeError, ValueError):
        return None


def bounds_of(shapes: Iterable[Shape]) -> Bounds | None:
    """The box around shapes (None when there is none)."""
    boxes = np.array([s.bounds for s in shapes if s.bounds is not None])
    if len(boxes) == 0:
        return None
    return (
        float(boxes[:, 0].min()),
        float(boxes[:, 1].min()),
        float(boxes[:, 2].max()),
        float(boxes[:, 3].max()),
    )


def warm_published(
    engine: sa.Engine,
    store: ShapeStore,
    decree_ids: Iterable[int],
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """After a publication: simplify the published decrees' zones at every zoom level
    and keep them (on disk when the store has a directory), so that the first map page
    afterwards, in any process, reads them instead of waiting for them. Returns the
    entries built (0 when they were already kept)."""
    with engine.connect() as conn:
        decrees = [get_decree(conn, decree_id) for decree_id in decree_ids]
        return store.warm(conn, decrees, progress=progress)

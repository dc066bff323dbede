"""The zoning index as the checks use it: its tables, its zone sets, the territories.

What ``cesp.eligibility.index`` builds from the database and ``cesp.eligibility.index_files``
maps back from a stored file. Apart from the builder so that a process that only maps
a stored index (``cesp check-bulk``, an API worker after the first) imports neither the
database tables nor the decree queries: a fifth of a second of start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from cesp.eligibility.geometries import GeometryColumn
from cesp.eligibility.grid import PolygonGrid
from cesp.eligibility.index_tables import CommuneTable, ZoneSet, ZoneTable
from cesp.eligibility.overrides import carve_overridden, zone_priority
from cesp.eligibility.segments import SegmentIndex
from cesp.geo.crs import LAMBERT93, OVERSEAS_BOXES, REGION_METRIC_CRS, transformer
from cesp.zones.decree_record import Decree

if TYPE_CHECKING:
    import sqlalchemy as sa

DRAWN_CELL_M = 250.0
TERRITORY_CRS = tuple(dict.fromkeys((LAMBERT93, *REGION_METRIC_CRS.values())))


def territory_of(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Metric CRS of each WGS84 point (overseas boxes, else Lambert-93), as positions in
    ``TERRITORY_CRS`` (small integers group faster than strings)."""
    result = np.zeros(len(lon), dtype=np.int8)
    for (minx, miny, maxx, maxy), crs in OVERSEAS_BOXES:
        inside = (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)
        result[inside] = TERRITORY_CRS.index(crs)
    return result


def to_metric(crs: str, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 coordinates to metric coordinates ``(x, y)`` of ``crs``."""
    x, y = transformer("EPSG:4326", crs).transform(lon, lat)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


@dataclass
class CommuneLayer:
    """The commune tables of an index, kept on disk on their own: they change with the
    reference geography only, not with each decree."""

    state: str
    tables: dict[str, CommuneTable]


class CommuneLayers(Protocol):
    """Where built commune layers are kept between builds (``cesp.eligibility.index_cache``)."""

    def load_layer(self, engine: sa.Engine, state: str) -> CommuneLayer | None:
        """The layer of ``state`` if kept, else None."""


@dataclass
class ZoningIndex:
    """Everything an eligibility check needs, immutable once built."""

    version: int
    borderline_m: float
    decrees: dict[int, Decree]
    communes: dict[str, CommuneTable]
    zones: dict[str, ZoneTable]
    build_seconds: float
    state: str = ""
    commune_state: str = ""
    origin: str = "built"  # or "loaded" from the on-disk cache
    # Values derived from the index on first use and kept with it (the bulk output's
    # name tables): never stored, rebuilt by each process that needs them.
    derived: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    _zone_sets: dict[tuple[str, str, frozenset[int]], ZoneSet] = field(default_factory=dict)

    def decrees_in_force(self, profession: str, on: date) -> frozenset[int]:
        """Ids of the decrees in force for a profession on a date (kept: every request
        of the day asks the same)."""
        key = ("in-force", profession, on)
        found = self.derived.get(key)
        if found is None:
            found = frozenset(
                d.id
                for d in self.decrees.values()
                if d.profession == profession and d.in_force_on(on)
            )
            if len(self.derived) < 10_000:  # bounded: a batch may carry many dates
                self.derived[key] = found
        return found

    def warm(self, on: date) -> None:
        """Build the zone sets in force on ``on`` now, so that no request pays for them."""
        for profession in {d.profession for d in self.decrees.values()}:
            decree_ids = self.decrees_in_force(profession, on)
            if decree_ids:
                for crs in self.zones:
                    self.zone_set(crs, profession, decree_ids)

    def zone_set(self, crs: str, profession: str, decree_ids: frozenset[int]) -> ZoneSet:
        """The queryable zones of some decrees in one CRS (cached: a handful of sets)."""
        key = (crs, profession, decree_ids)
        cached = self._zone_sets.get(key)
        if cached is not None:
            return cached
        table = self.zones[crs]
        in_set = np.isin(table.decree_id, list(decree_ids))
        rows = np.flatnonzero(in_set)
        drawn_rows = rows[~table.by_units[rows]]
        qualifying = rows[table.qualifies[rows]]
        carved = carve_overridden(
            table.geometries, table.qualifies, zone_priority(table), in_set, qualifying
        )
        geometries = table.geometries[qualifying] if carved is None else carved
        zone_set = ZoneSet(
            in_set=in_set,
            drawn_rows=drawn_rows,
            drawn=PolygonGrid(table.geometries[drawn_rows], DRAWN_CELL_M),
            qualifying_rows=qualifying,
            zone_geometries=table.geometries,
            outline=SegmentIndex(geometries, drop_shared=True),
            regions=frozenset(self.decrees[i].region_code for i in decree_ids),
            carved=None if carved is None else GeometryColumn.of(carved),
        )
        self._zone_sets[key] = zone_set
        return zone_set

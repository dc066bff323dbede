"""The tables of the zoning index: commune units, zones, and the zones in force.

Plain arrays and geometries (see ``cesp.eligibility.index`` for how they are built); they
pickle with their geometries as WKB and prepare them again when loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from shapely import STRtree

from cesp.eligibility.grid import PolygonGrid, expand, pickled_geometries, unpickled_geometries
from cesp.eligibility.segments import MAX_SEGMENT_M, SegmentIndex

EXACT_NEAREST_LIMIT = 20_000


@dataclass
class CommuneTable:
    """Commune units (all dates) of one metric CRS, as arrays."""

    code: np.ndarray
    name: np.ndarray
    kind: np.ndarray
    region: np.ndarray
    departement: np.ndarray
    parent: np.ndarray
    valid_from: np.ndarray
    valid_to: np.ndarray
    approximate: np.ndarray
    reason: np.ndarray
    priority: np.ndarray
    grid: PolygonGrid
    member_ptr: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    member_zone: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    is_commune: np.ndarray = field(init=False)
    region_codes: tuple[str, ...] = field(init=False)
    region_id: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        """Kinds and regions as small integers, for vectorised grouping."""
        self.is_commune = self.kind == "commune"
        self.region_codes = tuple(sorted({str(r) for r in self.region}))
        lookup = {code: i for i, code in enumerate(self.region_codes)}
        self.region_id = np.array([lookup[str(r)] for r in self.region], dtype=np.int64)

    def memberships(
        self, point_idx: np.ndarray, unit_idx: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(point, zone row) pairs of the commune-built zones of the units holding points.

        A zone built from communes is the union of their polygons as of its decree's
        signature; a point lies in it exactly when it lies in one of those units, so no
        second polygon test is needed.
        """
        pair, zone_row = expand(self.member_ptr, self.member_zone, unit_idx)
        return point_idx[pair], zone_row


@dataclass
class ZoneTable:
    """Zones of in-force-able decrees of one metric CRS, as arrays."""

    zone_id: np.ndarray
    name: np.ndarray
    category: np.ndarray
    category_label: np.ndarray
    qualifies: np.ndarray
    decree_id: np.ndarray
    approximate: np.ndarray
    built_from: np.ndarray
    geometries: np.ndarray
    # Added for QPV overrides (cesp.eligibility.overrides): 0 territory, 1 QPV.
    priority: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))

    def __getstate__(self) -> dict[str, object]:
        """Pickle the geometries as WKB."""
        return {**self.__dict__, "geometries": pickled_geometries(self.geometries)}

    def __setstate__(self, state: dict[str, object]) -> None:
        """Geometries back from WKB."""
        self.__dict__.update(state)
        self.geometries = unpickled_geometries(state["geometries"])


@dataclass
class ZoneSet:
    """The zones in force for one profession and one set of decrees, ready to query."""

    in_set: np.ndarray
    drawn_rows: np.ndarray
    drawn: PolygonGrid
    qualifying_rows: np.ndarray
    qualifying_geometries: np.ndarray
    outline: SegmentIndex
    regions: frozenset[str]
    _qualifying_tree: STRtree | None = None

    def __getstate__(self) -> dict[str, object]:
        """Pickle without the STRtree (rebuilt on first use), geometries as WKB."""
        return {
            **self.__dict__,
            "_qualifying_tree": None,
            "qualifying_geometries": pickled_geometries(self.qualifying_geometries),
        }

    def __setstate__(self, state: dict[str, object]) -> None:
        """Geometries back from WKB."""
        self.__dict__.update(state)
        self.qualifying_geometries = unpickled_geometries(state["qualifying_geometries"])

    @property
    def qualifying_tree(self) -> STRtree | None:
        """STRtree over the qualifying zones (for the nearest zone to a commune)."""
        if self._qualifying_tree is None and len(self.qualifying_geometries):
            self._qualifying_tree = STRtree(self.qualifying_geometries)
        return self._qualifying_tree

    def edges(
        self, x: np.ndarray, y: np.ndarray, inside: np.ndarray, band: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Borderline flags, and for points outside the qualifying area the distance (m)
        to it and the row of the nearest qualifying zone (NaN and -1 inside).

        The edge is the outline of the union of the qualifying zones: a border shared by
        two neighbouring zones is not an edge (eligible on both sides), and the distance
        to that outline is the distance to the nearest qualifying zone. One k-d query
        serves both the band and the distance. The band is always exact (see
        ``cesp.eligibility.segments``); distances are exact too, except in a batch with more
        than ``EXACT_NEAREST_LIMIT`` unproven points, which keep an estimate at most
        50 m above.
        """
        n = len(x)
        near = np.zeros(n, dtype=bool)
        distance = np.full(n, np.nan)
        rows = np.full(n, -1, dtype=np.int64)
        # Points inside need the band only: those far from every edge skip the query.
        maybe = self.outline.maybe_near(x, y) if band < MAX_SEGMENT_M else np.ones(n, bool)
        asked = np.flatnonzero(~inside | maybe)
        if len(asked) == 0 or self.outline.tree is None:
            return near, distance, rows
        found, owner, proven = self.outline.nearest(x[asked], y[asked])
        out = ~inside[asked]
        refine = np.flatnonzero(~proven & (found > band) & (found - self.outline.max_half <= band))
        unproven = np.flatnonzero(~proven & out)
        if len(unproven) <= EXACT_NEAREST_LIMIT:
            refine = np.union1d(refine, unproven)
        if len(refine):
            sx, sy = x[asked[refine]], y[asked[refine]]
            found[refine] = self.outline.exact(sx, sy, found[refine])
        near[asked] = found <= band
        distance[asked[out]] = found[out]
        rows[asked[out]] = np.where(
            owner[out] >= 0, self.qualifying_rows[np.maximum(owner[out], 0)], -1
        )
        return near, distance, rows

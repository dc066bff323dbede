"""The tables of the zoning index: commune units, zones, and the zones in force.

Plain arrays and geometries (see ``cesp.eligibility.index`` for how they are built). Each
table turns into named arrays and back (``to_arrays`` / ``from_arrays``, stored by
``cesp.eligibility.cache_files``): every NumPy field by its name, texts encoded, the
geometries as WKB decoded on first use (``cesp.eligibility.geometries``). A field added
to a table is stored with no other change.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from shapely import STRtree

from cesp.eligibility.cache_files import RELEASE_FROM_POINTS, decode_strings, encode_strings
from cesp.eligibility.geometries import GeometryColumn
from cesp.eligibility.grid import PolygonGrid, positions
from cesp.eligibility.segments import MAX_SEGMENT_M, SegmentIndex

T = TypeVar("T")


def fields_to_arrays(value: Any, prefix: str) -> dict[str, np.ndarray]:
    """The init fields of a table dataclass as named arrays."""
    arrays: dict[str, np.ndarray] = {}
    for item in dataclasses.fields(value):
        if not item.init or item.metadata.get("derived"):
            continue
        name, content = f"{prefix}.{item.name}", getattr(value, item.name)
        if isinstance(content, PolygonGrid | SegmentIndex | GeometryColumn):
            arrays |= content.to_arrays(name)
        elif isinstance(content, np.ndarray) and content.dtype.hasobject:
            arrays |= {f"{name}.{k}": v for k, v in encode_strings(content).items()}
        elif isinstance(content, np.ndarray):
            arrays[name] = content
    return arrays


def fields_from_arrays(
    kind: type[T], arrays: dict[str, np.ndarray], prefix: str, **given: Any
) -> T:
    """The table dataclass ``kind`` from ``fields_to_arrays`` (``given`` fields as is)."""
    values: dict[str, Any] = dict(given)
    for item in dataclasses.fields(kind):  # type: ignore[arg-type]
        name = f"{prefix}.{item.name}"
        if not item.init or item.name in values:
            continue
        codec = CODECS.get(str(item.type).removesuffix(" | None"))
        if codec is not None:
            optional = str(item.type).endswith(" | None")
            if optional and not any(key.startswith(f"{name}.") for key in arrays):
                continue  # stored as None
            values[item.name] = codec.from_arrays(arrays, name)
        elif name in arrays:
            values[item.name] = arrays[name]
        elif f"{name}.text" in arrays:
            values[item.name] = decode_strings(arrays, name)
    return kind(**values)


CODECS: dict[str, Any] = {
    "PolygonGrid": PolygonGrid,
    "SegmentIndex": SegmentIndex,
    "GeometryColumn": GeometryColumn,
}

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
    member_stand_in: np.ndarray = field(default_factory=lambda: np.array([], dtype=bool))
    """Per link: the unit is in the zone for one of its arrondissements only, which has
    no polygon of its own: a point in the unit may lie elsewhere in it."""
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
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(point, zone row, unit, stand-in) of the commune-built zones of the units
        holding points (``member_stand_in``: the link is for an arrondissement only).

        A zone built from communes is the union of their polygons as of its decree's
        signature; a point lies in it exactly when it lies in one of those units, so no
        second polygon test is needed (``cesp.eligibility.evaluation`` says when the
        unit's polygon leaves that uncertain).
        """
        pair, link = positions(self.member_ptr, unit_idx)
        return point_idx[pair], self.member_zone[link], unit_idx[pair], self.member_stand_in[link]


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
    geometries: GeometryColumn
    by_units: np.ndarray
    """True for a zone whose points are found through the commune units it lists
    (``CommuneTable.memberships``); False for one tested on its own polygons: drawn
    zones, QPV, and commune-built zones naming a former commune that covers only part
    of its successor (``cesp.eligibility.index._membership_rows``)."""
    # Added for QPV overrides (cesp.eligibility.overrides): 0 territory, 1 QPV.
    priority: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))


@dataclass
class ZoneSet:
    """The zones in force for one profession and one set of decrees, ready to query."""

    in_set: np.ndarray
    drawn_rows: np.ndarray
    drawn: PolygonGrid
    qualifying_rows: np.ndarray
    zone_geometries: GeometryColumn = field(metadata={"derived": True})  # the zone table's
    outline: SegmentIndex
    regions: frozenset[str]
    carved: GeometryColumn | None = None
    """The qualifying zones' polygons with the non-qualifying QPV of higher priority cut
    out (``cesp.eligibility.overrides``); None when no QPV cuts any."""
    _qualifying_tree: STRtree | None = field(default=None, init=False)

    @property
    def qualifying_geometries(self) -> np.ndarray:
        """The qualifying zones' polygons (rows ``qualifying_rows`` of the zone table),
        as the QPV overrides leave them."""
        if self.carved is not None:
            return np.asarray(self.carved[:], dtype=object)
        return np.asarray(self.zone_geometries[self.qualifying_rows], dtype=object)

    @property
    def qualifying_tree(self) -> STRtree | None:
        """STRtree over the qualifying zones (for the nearest zone to a commune)."""
        if self._qualifying_tree is None and len(self.qualifying_rows):
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
        a point serves both the band and the distance (for a point inside, a query
        bounded by the band). The band is always exact (see
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
        out = ~inside[asked]
        found = np.empty(len(asked))
        owner = np.empty(len(asked), dtype=np.int64)
        proven = np.empty(len(asked), dtype=bool)
        # Outside: the distance, whatever it is; inside: only whether it is within the band.
        for part, within in ((out, np.inf), (~out, band + self.outline.max_half)):
            points = asked[part]
            found[part], owner[part], proven[part] = self.outline.nearest(
                x[points], y[points], within=within
            )
        refine = np.flatnonzero(~proven & (found > band) & (found - self.outline.max_half <= band))
        unproven = np.flatnonzero(~proven & out)
        if len(unproven) <= EXACT_NEAREST_LIMIT:
            refine = np.union1d(refine, unproven)
        if len(refine):
            sx, sy = x[asked[refine]], y[asked[refine]]
            found[refine] = self.outline.exact(sx, sy, found[refine])
            if n >= RELEASE_FROM_POINTS:
                self.outline.release_pages()
        near[asked] = found <= band
        distance[asked[out]] = found[out]
        rows[asked[out]] = np.where(
            owner[out] >= 0, self.qualifying_rows[np.maximum(owner[out], 0)], -1
        )
        return near, distance, rows

"""Which polygons hold a point, mostly by table look-up: a grid of cells over polygons.

A point-in-polygon test costs a tree query and a GEOS call per candidate; a million
points pay that a million times. Most points, though, lie far from every boundary. The
grid cuts the plane into square cells and marks the cells that some polygon boundary
crosses ("boundary cells"). A cell that no boundary crosses lies wholly inside or
wholly outside each polygon, and so does every cell connected to it through such cells
(a path that crosses no boundary never changes sides): one test of one cell centre per
connected region gives the polygons of all its cells. Only points in boundary cells
get real tests, against the polygons whose boundary touches their cell: from the
few edges of the polygon that reach the cell and the side of the cell's centre
(``cesp.eligibility.cell_edges``), GEOS for the rare points too close to an edge to
decide in floating point.

Why this is exact, cell index by cell index: a cell index is
``floor((x - origin) / size)``, computed the same way for points and for boundary
vertices. It is monotone in ``x``, so every point of a boundary segment has an index
between those of its two ends; marking the whole index range of each segment's ends
marks every cell the segment touches (boundaries are cut into pieces shorter than half
a cell, so that range spans at most two cells a side). The set of points with a given
index pair is a rectangle, so a cell that is not marked is a connected set that meets
no boundary: each polygon holds all of it or none of it. A point exactly on a boundary
lies in a marked cell and gets the real test (``intersects``: on the boundary counts as
inside, as everywhere in the index).
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely import STRtree

from cesp.eligibility.cache_files import RELEASE_FROM_POINTS, release_pages
from cesp.eligibility.cell_edges import CELL_EDGE_ARRAYS, parity_inside, ring_edges
from cesp.eligibility.geometries import GeometryColumn
from cesp.eligibility.runs import run_owners, sorted_distinct

CELL_M = 500.0
MAX_SIDE_CELLS = 4096  # at most 4096 x 4096 cells (64 MB): larger extents get larger cells
OFF_GRID = np.iinfo(np.int32).min
EDGE_BLOCK = 1 << 12
# The arrays a grid is made of, as stored in an index file (``to_arrays``).
GRID_ARRAYS = (
    "region_ptr",
    "region_polygons",
    "inside_ptr",
    "inside_polygons",
    "test_ptr",
    "test_polygons",
    "origin",
    "cells",
    *CELL_EDGE_ARRAYS,
)


def positions(ptr: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(i, j)`` for every position ``ptr[keys[i]] <= j < ptr[keys[i] + 1]``."""
    if len(keys) == 0:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    counts = (ptr[keys + 1] - ptr[keys]).astype(np.int64)
    owner = run_owners(counts)  # not np.repeat: it holds the GIL (two bulk threads)
    offsets = np.arange(len(owner), dtype=np.int64) - (np.cumsum(counts) - counts)[owner]
    return owner, ptr[keys].astype(np.int64)[owner] + offsets


def expand(ptr: np.ndarray, values: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(i, value)`` for every ``values[ptr[keys[i]]:ptr[keys[i] + 1]]`` (CSR rows).

    Examples
    --------
    >>> ptr, values = np.array([0, 2, 3]), np.array([7, 8, 9])
    >>> expand(ptr, values, np.array([1, 0]))
    (array([0, 1, 1]), array([9, 7, 8]))
    """
    owner, position = positions(ptr, keys)
    return owner, values[position].astype(np.int64)


def _csr(keys: np.ndarray, values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``values`` grouped by ``keys`` (0 <= key < size), as (ptr, values);
    32-bit positions (half the pages a job's scattered look-ups touch)."""
    order = np.argsort(keys, kind="stable")
    ptr = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=size), out=ptr[1:])
    assert ptr[-1] < 2**31, "positions fit in 32 bits"
    return ptr.astype(np.int32), values[order].astype(np.int32)


class PolygonGrid:
    """Polygons (metric coordinates) with a grid of cells answering "which hold a point".

    Parameters
    ----------
    polygons
        Polygon or MultiPolygon geometries (prepared while the grid is built only: see
        ``cesp.eligibility.geometries`` for why queries test them unprepared).
    cell_m
        Side of a cell in metres. Smaller cells leave fewer points near a boundary to
        test, at the cost of a larger table (``(extent / cell_m)²`` 32-bit entries) and a
        longer build; cells grow so that a side holds at most ``MAX_SIDE_CELLS``.
    """

    polygons: GeometryColumn

    def __init__(self, polygons: np.ndarray, cell_m: float = CELL_M):
        polygons = np.asarray(polygons, dtype=object)
        self._build_polygons = polygons  # the decoded array, while building
        self.polygons = GeometryColumn.of(polygons)
        self.cell_m = float(cell_m)
        shapely.prepare(polygons)
        try:
            self._build(polygons)
        finally:
            shapely.destroy_prepared(polygons)
            del self._build_polygons

    def _build(self, polygons: np.ndarray) -> None:
        empty = np.zeros(1, dtype=np.int32), np.array([], dtype=np.int32)
        self.region_ptr, self.region_polygons = empty
        self.inside_ptr, self.inside_polygons = empty
        self.test_ptr, self.test_polygons = empty
        self.origin = np.zeros(2)
        self.cells = np.full((1, 1), OFF_GRID, dtype=np.int32)
        self.edge_ptr, self.edge_vertex = empty
        self.vertices = np.zeros((0, 2))
        self.centre_inside = np.array([], dtype=bool)
        if len(polygons) == 0:
            return
        minx, miny, maxx, maxy = shapely.total_bounds(polygons)
        self.cell_m = max(self.cell_m, max(maxx - minx, maxy - miny) / (MAX_SIDE_CELLS - 3))
        self.origin = np.array([minx - self.cell_m, miny - self.cell_m])
        shape = (
            int((maxx - self.origin[0]) // self.cell_m) + 2,
            int((maxy - self.origin[1]) // self.cell_m) + 2,
        )
        crossing = self._crossings(shape)
        crossed = np.zeros(shape, dtype=bool)
        crossed.ravel()[crossing // len(polygons)] = True
        self.cells = np.empty(shape, dtype=np.int32)
        self._label_regions(crossed)
        self._boundary_cells(crossed, crossing)
        self._cell_edges(crossing, shape[1])

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The grid as named arrays (``cesp.eligibility.cache_files``)."""
        arrays = {f"{prefix}.{name}": getattr(self, name) for name in GRID_ARRAYS}
        arrays[f"{prefix}.cell_m"] = np.array([self.cell_m])
        return arrays | self.polygons.to_arrays(f"{prefix}.polygons")

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> PolygonGrid:
        """The grid of ``to_arrays``, its polygons decoded when first tested."""
        grid = cls.__new__(cls)
        for name in GRID_ARRAYS:
            setattr(grid, name, arrays[f"{prefix}.{name}"])
        grid.cell_m = float(arrays[f"{prefix}.cell_m"][0])
        grid.polygons = GeometryColumn.from_arrays(arrays, f"{prefix}.polygons")
        return grid

    def cell_of(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cell indices (column, row) of points, as floats; the same arithmetic for all."""
        cx = np.floor((x - self.origin[0]) / self.cell_m)
        cy = np.floor((y - self.origin[1]) / self.cell_m)
        return cx, cy

    def _centres(self, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = self.cells.shape[1]
        return (
            self.origin[0] + (flat // rows + 0.5) * self.cell_m,
            self.origin[1] + (flat % rows + 0.5) * self.cell_m,
        )

    def _crossings(self, shape: tuple[int, int]) -> np.ndarray:
        """Sorted unique keys ``cell * len(polygons) + polygon`` of every cell that a
        polygon's boundary touches (flat cell index)."""
        parts, part_owner = shapely.get_parts(self._build_polygons, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        rings = shapely.segmentize(rings, self.cell_m)
        coords, ring_of = shapely.get_coordinates(rings, return_index=True)
        cx, cy = self.cell_of(coords[:, 0], coords[:, 1])
        n, rows = len(self.polygons), shape[1]
        owner = part_owner[ring_part[ring_of]].astype(np.int64)
        # Every vertex's own cell (runs of vertices in one cell give one key)...
        vertex = (cx.astype(np.int64) * rows + cy.astype(np.int64)) * n + owner
        keys = [vertex[np.append(True, vertex[1:] != vertex[:-1])]]
        # ...and the cells between a segment's two ends: both corners of a diagonal step,
        # every cell of the (rare, rounding-made) longer spans.
        same = np.flatnonzero(ring_of[1:] == ring_of[:-1])
        lo_x = np.minimum(cx[same], cx[same + 1]).astype(np.int64)
        hi_x = np.maximum(cx[same], cx[same + 1]).astype(np.int64)
        lo_y = np.minimum(cy[same], cy[same + 1]).astype(np.int64)
        hi_y = np.maximum(cy[same], cy[same + 1]).astype(np.int64)
        spans = np.flatnonzero(
            (hi_x > lo_x) & (hi_y > lo_y) | (hi_x - lo_x > 1) | (hi_y - lo_y > 1)
        )
        lo_x, hi_x, lo_y, hi_y = lo_x[spans], hi_x[spans], lo_y[spans], hi_y[spans]
        span_owner = owner[same[spans]]
        for dx in range(int((hi_x - lo_x).max(initial=0)) + 1):
            for dy in range(int((hi_y - lo_y).max(initial=0)) + 1):
                inside = (lo_x + dx <= hi_x) & (lo_y + dy <= hi_y)
                cell = (lo_x[inside] + dx) * rows + lo_y[inside] + dy
                keys.append(cell * n + span_owner[inside])
        return sorted_distinct(np.concatenate(keys))

    def _label_regions(self, crossed: np.ndarray) -> None:
        """Connected regions of cells no boundary touches, and the polygons holding each."""
        # Imported here: a quarter of a second that processes loading a stored index skip.
        from scipy import ndimage

        labels, count = ndimage.label(~crossed)  # 4-connectivity: cells sharing a side
        flat = labels.ravel()
        member = np.empty(count + 1, dtype=np.int64)
        member[flat] = np.arange(flat.size)  # any one cell of each region will do
        centre_x, centre_y = self._centres(member[1:])
        region, polygon = STRtree(self._build_polygons).query(
            shapely.points(centre_x, centre_y), predicate="intersects"
        )
        self.region_ptr, self.region_polygons = _csr(region, polygon, count)
        self.cells[:] = labels - 1

    def _boundary_cells(self, crossed: np.ndarray, crossing: np.ndarray) -> None:
        """For each cell some boundary touches: the polygons to test there (their own
        boundary touches it) and those that hold it whole (tested once, at its centre)."""
        boundary = np.flatnonzero(crossed.ravel())
        number = np.full(crossed.size, -1, dtype=np.int64)
        number[boundary] = np.arange(len(boundary))
        self.cells.ravel()[boundary] = -1 - np.arange(len(boundary), dtype=np.int32)
        n = len(self.polygons)
        test_cell, test_polygon = number[crossing // n], crossing % n
        self.test_ptr, self.test_polygons = _csr(test_cell, test_polygon, len(boundary))
        # Polygons whose bounding box meets a boundary cell that their own boundary does
        # not touch: wholly inside or wholly outside; the cell centre tells which.
        bounds = shapely.bounds(self._build_polygons)
        x0, y0 = (v.astype(np.int64) for v in self.cell_of(bounds[:, 0], bounds[:, 1]))
        x1, y1 = (v.astype(np.int64) for v in self.cell_of(bounds[:, 2], bounds[:, 3]))
        height = y1 - y0 + 1
        area = (x1 - x0 + 1) * height
        polygon = np.repeat(np.arange(n, dtype=np.int64), area)
        k = np.arange(len(polygon), dtype=np.int64) - np.repeat(np.cumsum(area) - area, area)
        flat = (x0[polygon] + k // height[polygon]) * crossed.shape[1] + y0[polygon]
        flat += k % height[polygon]
        keep = number[flat] >= 0
        flat, polygon = flat[keep], polygon[keep]
        key = flat * n + polygon
        untouched = ~np.isin(key, crossing, assume_unique=True)
        flat, polygon = flat[untouched], polygon[untouched]
        centre_x, centre_y = self._centres(flat)
        order = np.argsort(polygon, kind="stable")  # one polygon at a time: cache-friendly
        holds = np.zeros(len(flat), dtype=bool)
        holds[order] = shapely.intersects_xy(
            self._build_polygons[polygon[order]], centre_x[order], centre_y[order]
        )
        self.inside_ptr, self.inside_polygons = _csr(
            number[flat[holds]], polygon[holds], len(boundary)
        )

    def _cell_edges(self, crossing: np.ndarray, rows: int) -> None:
        """For each (boundary cell, polygon) test: the polygon's edges that may reach the
        cell, and whether the cell's centre is in the polygon (``cesp.eligibility.cell_edges``)."""
        n = len(self.polygons)
        flat, polygon = crossing // n, crossing % n
        centre_x, centre_y = self._centres(flat)
        order = np.argsort(polygon, kind="stable")
        self.centre_inside = np.zeros(len(crossing), dtype=bool)
        self.centre_inside[order] = shapely.intersects_xy(
            self._build_polygons[polygon[order]], centre_x[order], centre_y[order]
        )
        self.vertices, first, owner = ring_edges(self._build_polygons)
        corner_x, corner_y = self.cell_of(self.vertices[:, 0], self.vertices[:, 1])
        cx, cy = corner_x.astype(np.int64), corner_y.astype(np.int64)
        x0, x1 = np.minimum(cx[first], cx[first + 1]), np.maximum(cx[first], cx[first + 1])
        y0, y1 = np.minimum(cy[first], cy[first + 1]), np.maximum(cy[first], cy[first + 1])
        height = y1 - y0 + 1
        ptr = np.append(0, np.cumsum((x1 - x0 + 1) * height))
        edge, k = positions(ptr, np.arange(len(first)))  # every cell of each edge's range
        k -= ptr[edge]
        key = ((x0[edge] + k // height[edge]) * rows + y0[edge] + k % height[edge]) * n
        key += owner[edge]
        test = np.minimum(np.searchsorted(crossing, key), len(crossing) - 1)
        kept = crossing[test] == key  # cells of the range the polygon's boundary touches
        self.edge_ptr, self.edge_vertex = _csr(test[kept], first[edge[kept]], len(crossing))

    def pairs(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Indices ``(point_idx, polygon_idx)`` of every point lying in or on a polygon."""
        if len(self.polygons) == 0 or len(x) == 0:  # no drawn zone: the usual case
            return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
        cx, cy = self.cell_of(x, y)
        on_grid = (cx >= 0) & (cy >= 0) & (cx < self.cells.shape[0]) & (cy < self.cells.shape[1])
        code = np.full(len(x), OFF_GRID, dtype=np.int64)
        code[on_grid] = self.cells[cx[on_grid].astype(np.int64), cy[on_grid].astype(np.int64)]
        clean = np.flatnonzero(code >= 0)
        region_point, region_polygon = expand(self.region_ptr, self.region_polygons, code[clean])
        near = np.flatnonzero((code < 0) & (code != OFF_GRID))
        cell = -1 - code[near]
        inside_point, inside_polygon = expand(self.inside_ptr, self.inside_polygons, cell)
        test_of, test = positions(self.test_ptr, cell)
        test_point = near[test_of]
        test_polygon = self.test_polygons[test].astype(np.int64)
        # A long batch lets go of each step's pages of a mapped grid once it is done
        # (``release_pages``): its memory is then one step's reads, not the whole grid.
        letting_go = len(x) >= RELEASE_FROM_POINTS
        if letting_go:
            release_pages(self.cells, self.region_ptr, self.region_polygons, self.inside_ptr)
            release_pages(self.inside_polygons, self.test_ptr, self.test_polygons)
        # The cell centre, as the grid was built with (``_centres``).
        rx = self.origin[0] + (cx[test_point] + 0.5) * self.cell_m
        ry = self.origin[1] + (cy[test_point] + 0.5) * self.cell_m
        hit = np.empty(len(test), dtype=bool)
        decided = np.empty(len(test), dtype=bool)
        # By blocks of tests holding about ``EDGE_BLOCK`` edges: the dozen temporaries
        # per edge stay small whatever the number of points, and the points of a block
        # (in space order: ``cesp.eligibility.evaluation``) read neighbouring pages.
        edges = np.cumsum(self.edge_ptr[test + 1] - self.edge_ptr[test], dtype=np.int64)
        cuts = np.searchsorted(edges, np.arange(EDGE_BLOCK, edges[-1:].sum(), EDGE_BLOCK))
        for part in np.split(np.arange(len(test)), np.unique(cuts)):
            row, edge = expand(self.edge_ptr, self.edge_vertex, test[part])
            hit[part], decided[part] = parity_inside(
                row,
                edge,
                rx[part],
                ry[part],
                x[test_point[part]],
                y[test_point[part]],
                self.vertices,
                self.centre_inside[test[part]],
            )
            if letting_go:
                release_pages(self.edge_ptr, self.edge_vertex, self.vertices, self.centre_inside)
        undecided = np.flatnonzero(~decided)
        if len(undecided):  # on or within rounding of an edge: GEOS decides
            undecided = undecided[np.argsort(test_polygon[undecided], kind="stable")]
            hit[undecided] = shapely.intersects_xy(
                self.polygons[test_polygon[undecided]],
                x[test_point[undecided]],
                y[test_point[undecided]],
            )
            if letting_go:
                release_pages(self.polygons.wkb)
        return (
            np.concatenate([clean[region_point], near[inside_point], test_point[hit]]),
            np.concatenate([region_polygon, inside_polygon, test_polygon[hit]]),
        )

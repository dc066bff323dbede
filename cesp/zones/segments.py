"""Distance from many points to zone boundaries, fast, exact where it decides anything.

Boundaries are cut into segments of at most ``MAX_SEGMENT_M`` metres; a k-d tree indexes
their midpoints. For a point, the distance ``d`` to the segments of its ``K`` nearest
midpoints is never more than ``MAX_SEGMENT_M / 2`` above the true distance (the segment
of the nearest midpoint is within that of the true nearest one), and it is *proven*
exact when the K-th midpoint lies farther than ``d + longest half-segment`` (no other
segment can then be closer). The borderline band needs exactness: a point whose
unproven ``d`` could still hide a true distance within the band gets an exact GEOS test.

A coarse grid marks the cells near any boundary, so that points deep inside or far
outside zones skip the band test altogether.

With ``drop_shared``, a segment that two polygons share (the border between two
neighbouring zones drawn from the same commune boundaries) is dropped: what remains is
the outline of their union, without computing the union (which costs seconds on a
national zoning).
"""

from __future__ import annotations

import numpy as np
import shapely
from scipy.spatial import cKDTree

MAX_SEGMENT_M = 100.0
K = 8
CELL_M = 250.0


class SegmentIndex:
    """Boundary segments of some polygons, each tagged with its polygon's index."""

    def __init__(self, polygons: np.ndarray, drop_shared: bool = False):
        rings, ring_part = shapely.get_rings(shapely.get_parts(polygons), return_index=True)
        _, part_owner = shapely.get_parts(polygons, return_index=True)
        rings = shapely.segmentize(rings, MAX_SEGMENT_M)
        coords, ring_of = shapely.get_coordinates(rings, return_index=True)
        same_ring = ring_of[1:] == ring_of[:-1]
        start, end = coords[:-1][same_ring], coords[1:][same_ring]
        owner = part_owner[ring_part[ring_of[:-1][same_ring]]].astype(np.int64)
        if drop_shared and len(start):
            keep = _unshared(start, end)
            start, end, owner = start[keep], end[keep], owner[keep]
        self.start = start
        self.delta = end - start
        self.owner = owner
        half = np.hypot(self.delta[:, 0], self.delta[:, 1]) / 2
        self.max_half = float(half.max()) if len(half) else 0.0
        middle = start + self.delta / 2
        self.tree = cKDTree(middle) if len(start) else None
        self._grid(middle)

    def _grid(self, middle: np.ndarray) -> None:
        """Cells within one cell of a segment midpoint: every point closer than
        ``MAX_SEGMENT_M`` to a boundary falls in one of them (cells are larger)."""
        if len(middle) == 0:
            self.origin = np.zeros(2)
            self.near_cells = np.zeros((1, 1), dtype=bool)
            return
        self.origin = middle.min(axis=0) - 2 * CELL_M
        cells = ((middle - self.origin) // CELL_M).astype(np.int64)
        shape = cells.max(axis=0) + 3
        grid = np.zeros((int(shape[0]), int(shape[1])), dtype=bool)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                grid[cells[:, 0] + dx, cells[:, 1] + dy] = True
        self.near_cells = grid

    def maybe_near(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """False for points certainly farther than ``MAX_SEGMENT_M`` from every boundary."""
        cx = ((x - self.origin[0]) // CELL_M).astype(np.int64)
        cy = ((y - self.origin[1]) // CELL_M).astype(np.int64)
        inside = (
            (cx >= 0)
            & (cy >= 0)
            & (cx < self.near_cells.shape[0])
            & (cy < self.near_cells.shape[1])
        )
        result = np.zeros(len(x), dtype=bool)
        result[inside] = self.near_cells[cx[inside], cy[inside]]
        return result

    def _segment_distance(self, x: np.ndarray, y: np.ndarray, seg: np.ndarray) -> np.ndarray:
        """Distances from points (x, y) to segments ``seg`` (one row of segments per point)."""
        sx, sy = self.start[seg, 0], self.start[seg, 1]
        dx, dy = self.delta[seg, 0], self.delta[seg, 1]
        px, py = x[:, None] - sx, y[:, None] - sy
        length2 = dx * dx + dy * dy
        t = np.clip(
            np.divide(px * dx + py * dy, length2, out=np.zeros_like(px), where=length2 > 0), 0, 1
        )
        return np.hypot(px - t * dx, py - t * dy)

    def nearest(
        self, x: np.ndarray, y: np.ndarray, k: int = K
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(distance, polygon index, proven exact) of the nearest boundary of each point."""
        n = len(x)
        if self.tree is None or n == 0:
            return np.full(n, np.inf), np.full(n, -1, dtype=np.int64), np.ones(n, dtype=bool)
        k = min(k, len(self.start))
        mid_distance, seg = self.tree.query(np.column_stack([x, y]), k=k, workers=-1)
        if k == 1:
            mid_distance, seg = mid_distance[:, None], seg[:, None]
        exact = self._segment_distance(x, y, seg)
        best = np.argmin(exact, axis=1)
        rows = np.arange(n)
        distance = exact[rows, best]
        owner = self.owner[seg[rows, best]]
        proven = (mid_distance[:, -1] > distance + self.max_half) | (k == len(self.start))
        return distance, owner, proven

    def exact(self, x: np.ndarray, y: np.ndarray, upper: np.ndarray) -> np.ndarray:
        """Exact distances for points whose distance is at most ``upper``: first with the
        64 nearest midpoints (vectorised), then, for the few still unproven, every
        segment whose midpoint lies within ``upper + longest half-segment``."""
        assert self.tree is not None
        result = np.array(upper, dtype=float)
        wider, _, proven = self.nearest(x, y, k=8 * K)
        result[proven] = np.minimum(result[proven], wider[proven])
        rest = np.flatnonzero(~proven)
        x, y, upper = x[rest], y[rest], np.minimum(upper[rest], wider[rest])
        for i, px, py, bound in zip(rest, x, y, upper, strict=True):
            near = self.tree.query_ball_point((px, py), bound + self.max_half)
            if near:
                seg = np.asarray(near, dtype=np.int64)[None, :]
                result[i] = float(self._segment_distance(np.array([px]), np.array([py]), seg).min())
        return result

    def within(self, x: np.ndarray, y: np.ndarray, band: float) -> np.ndarray:
        """Exact: is each point within ``band`` metres of a boundary?"""
        result = np.zeros(len(x), dtype=bool)
        if self.tree is None:
            return result
        candidates = np.flatnonzero(self.maybe_near(x, y)) if band < MAX_SEGMENT_M else None
        idx = candidates if candidates is not None else np.arange(len(x))
        if len(idx) == 0:
            return result
        distance, _, proven = self.nearest(x[idx], y[idx])
        doubtful = ~proven & (distance > band) & (distance - self.max_half <= band)
        if doubtful.any():
            distance[doubtful] = self.exact(x[idx][doubtful], y[idx][doubtful], distance[doubtful])
        result[idx] = distance <= band
        return result


def _unshared(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Mask of the segments that appear once (in either direction), to the millimetre.

    Segments are keyed by a 64-bit hash of their rounded, ordered endpoints (a 1-D sort
    is an order of magnitude faster than ``np.unique(axis=0)``); a collision could only
    make two unrelated segments look shared, with odds of about n² / 2⁶⁴.
    """
    a = np.round(start * 1000).astype(np.int64)
    b = np.round(end * 1000).astype(np.int64)
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    first = np.where(swap[:, None], b, a).astype(np.uint64)
    second = np.where(swap[:, None], a, b).astype(np.uint64)
    with np.errstate(over="ignore"):
        key = first[:, 0] * np.uint64(0x9E3779B97F4A7C15)
        key ^= first[:, 1] * np.uint64(0xC2B2AE3D27D4EB4F) + (key >> np.uint64(29))
        key ^= second[:, 0] * np.uint64(0x165667B19E3779F9) + (key >> np.uint64(31))
        key ^= second[:, 1] * np.uint64(0x27D4EB2F165667C5) + (key >> np.uint64(27))
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    return counts[inverse] == 1

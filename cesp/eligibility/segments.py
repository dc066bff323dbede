"""Distance from many points to zone boundaries, fast, exact where it decides anything.

Boundaries are cut into segments of at most ``MAX_SEGMENT_M`` metres; a k-d tree indexes
their midpoints. For a point, the distance ``d`` to the segments of its ``K`` nearest
midpoints is never more than ``MAX_SEGMENT_M / 2`` above the true distance (the segment
of the nearest midpoint is within that of the true nearest one), and it is *proven*
exact when the K-th midpoint lies farther than ``d + longest half-segment`` (no other
segment can then be closer). The borderline band needs exactness: a point whose
unproven ``d`` could still hide a true distance within the band gets an exact answer
(``exact``: more midpoints, then every segment that could be closer).

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

from cesp.eligibility.cache_files import RELEASE_FROM_POINTS, release_pages
from cesp.eligibility.runs import occurrences

MAX_SEGMENT_M = 100.0
K = 8
EXACT_K = (2 * K, 8 * K)
CELL_M = 250.0
ORDERED_FROM = 1024
THREADS_FROM = 16_384
NEAREST_BLOCK = 1 << 11
Z_CELL_M = 1000.0


class SegmentIndex:
    """Boundary segments of some polygons, each tagged with its polygon's index."""

    def __init__(self, polygons: np.ndarray, drop_shared: bool = False):
        parts, part_owner = shapely.get_parts(polygons, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        coords, ring_of = shapely.get_coordinates(rings, return_index=True)
        same_ring = ring_of[1:] == ring_of[:-1]
        start, end = coords[:-1][same_ring], coords[1:][same_ring]
        owner = part_owner[ring_part[ring_of[:-1][same_ring]]].astype(np.int64)
        if drop_shared and len(start):
            # Shared borders go before cutting: fewer segments to compare, same outline.
            keep = _unshared(start, end)
            start, end, owner = start[keep], end[keep], owner[keep]
        start, end, owner = _cut(start, end, owner, MAX_SEGMENT_M)
        # Segments stored in Z-order: neighbours in space are neighbours in memory, for
        # the k-d tree walks and the distance kernel's gathers.
        order = z_order(*((start + end) / 2).T) if len(start) else np.array([], dtype=np.int64)
        start, end, owner = start[order], end[order], owner[order]
        delta = end - start
        # Stored per segment: its midpoint (the k-d tree's own data, not a second copy),
        # its vector and its polygon; the start is ``middle - delta / 2``. The vector
        # fits in 32-bit floats (at most 100 m: 10 micrometres of rounding at worst).
        middle = start + delta / 2
        self.dx = delta[:, 0].astype(np.float32)
        self.dy = delta[:, 1].astype(np.float32)
        self.owner = owner.astype(np.int32)
        half = np.hypot(self.dx.astype(float), self.dy.astype(float)) / 2
        self.max_half = float(half.max()) if len(half) else 0.0
        self.tree = cKDTree(middle) if len(start) else None
        self.middle = self.tree.data if self.tree is not None else middle
        self.tree_indices = self.tree.indices if self.tree is not None else np.zeros(0, np.intp)
        self._grid(middle)

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The segments and their k-d tree as named arrays (``cesp.eligibility.cache_files``):
        the tree is stored as built (rebuilding it costs 1.5 s nationally)."""
        arrays = {
            f"{prefix}.middle": self.middle,
            f"{prefix}.dx": self.dx,
            f"{prefix}.dy": self.dy,
            f"{prefix}.owner": self.owner,
            f"{prefix}.max_half": np.array([self.max_half]),
            f"{prefix}.origin": self.origin,
            f"{prefix}.near_bits": self.near_bits,
        }
        if self.tree is not None:
            state = self.tree.__getstate__()
            arrays[f"{prefix}.tree.nodes"] = np.frombuffer(state[0].tobytes(), dtype=np.uint8)
            arrays[f"{prefix}.tree.shape"] = np.array(state[2:5], dtype=np.int64)
            arrays[f"{prefix}.tree.maxes"] = state[5]
            arrays[f"{prefix}.tree.mins"] = state[6]
            arrays[f"{prefix}.tree.indices"] = state[7]
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> SegmentIndex:
        """The index of ``to_arrays``, its arrays used in place (read-only)."""
        index = cls.__new__(cls)
        index.middle = arrays[f"{prefix}.middle"]
        index.dx, index.dy = arrays[f"{prefix}.dx"], arrays[f"{prefix}.dy"]
        index.owner = arrays[f"{prefix}.owner"]
        index.max_half = float(arrays[f"{prefix}.max_half"][0])
        index.origin = arrays[f"{prefix}.origin"]
        index.near_bits = arrays[f"{prefix}.near_bits"]
        index.tree = None
        index.tree_indices = arrays.get(f"{prefix}.tree.indices", np.zeros(0, np.intp))
        if f"{prefix}.tree.nodes" in arrays:
            n, m, leafsize = (int(v) for v in arrays[f"{prefix}.tree.shape"])
            # scipy's own pickle state, from arrays: the node buffer is copied (tens of
            # milliseconds), the points and their order are used in place.
            state = (
                arrays[f"{prefix}.tree.nodes"].view("S1"),
                index.middle,
                n,
                m,
                leafsize,
                arrays[f"{prefix}.tree.maxes"],
                arrays[f"{prefix}.tree.mins"],
                index.tree_indices,
                None,
                None,
            )
            index.tree = cKDTree.__new__(cKDTree)
            index.tree.__setstate__(state)
        return index

    def _grid(self, middle: np.ndarray) -> None:
        """Cells within one cell of a segment midpoint: every point closer than
        ``MAX_SEGMENT_M`` to a boundary falls in one of them (cells are larger).

        Kept as bits, eight cells a byte along a column (``np.packbits``): a national
        grid is 2.4 MB instead of 19.5, and a job's scattered points touch all of it."""
        if len(middle) == 0:
            self.origin = np.zeros(2)
            self.near_bits = np.zeros((1, 1), dtype=np.uint8)
            return
        self.origin = middle.min(axis=0) - 2 * CELL_M
        cells = ((middle - self.origin) // CELL_M).astype(np.int64)
        # Midpoints come in Z-order: runs of them share a cell; mark each run once.
        change = np.ones(len(cells), dtype=bool)
        change[1:] = (cells[1:] != cells[:-1]).any(axis=1)
        cells = cells[change]
        shape = cells.max(axis=0) + 3
        grid = np.zeros((int(shape[0]), int(shape[1])), dtype=bool)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                grid[cells[:, 0] + dx, cells[:, 1] + dy] = True
        self.near_bits = np.packbits(grid, axis=1)

    def release_pages(self) -> None:
        """Let go of the pages of a mapped index read so far (``release_pages``): after
        each block of a long batch, and after the few scattered points of an exact
        pass, which map nearly all of them (the kernel maps 2 MB at a time)."""
        release_pages(self.middle, self.dx, self.dy, self.owner, self.tree_indices)

    def maybe_near(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """False for points certainly farther than ``MAX_SEGMENT_M`` from every boundary."""
        cx = ((x - self.origin[0]) // CELL_M).astype(np.int64)
        cy = ((y - self.origin[1]) // CELL_M).astype(np.int64)
        columns, row_bytes = self.near_bits.shape
        # Rows past the grid's last one, in its last byte, are zero bits: not near.
        inside = (cx >= 0) & (cy >= 0) & (cx < columns) & (cy < row_bytes * 8)
        cx, cy = cx[inside], cy[inside]
        byte = self.near_bits[cx, cy >> 3]
        result = np.zeros(len(x), dtype=bool)
        result[inside] = (byte >> (7 - (cy & 7)).astype(np.uint8)) & 1
        return result

    def _offsets(
        self, x: np.ndarray, y: np.ndarray, seg: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Vectors from the nearest point of segments ``seg`` (one row of segments per
        point) to the points (x, y); their lengths are the distances."""
        # ``take`` gathers rows several times faster than fancy indexing; the sums are
        # done in place, in the order of the plain formulas (the same floats).
        dx, dy = np.take(self.dx, seg).astype(float), np.take(self.dy, seg).astype(float)
        middle = np.take(self.middle, seg, axis=0)
        px = x[:, None] - middle[..., 0]
        px += 0.5 * dx
        py = y[:, None] - middle[..., 1]
        py += 0.5 * dy
        length2 = dx * dx
        length2 += dy * dy
        length2[length2 == 0] = 1.0  # degenerate: t = 0, the start
        t = px * dx
        t += py * dy
        t /= length2
        np.clip(t, 0, 1, out=t)
        px -= t * dx
        py -= t * dy
        return px, py

    def nearest(
        self, x: np.ndarray, y: np.ndarray, k: int = K, within: float = np.inf
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(distance, polygon index, proven exact) of the nearest boundary of each point.

        Many points are queried in Z-order (neighbours one after the other): the k-d tree
        walks then stay in the processor's cache, which halves the query time of a large
        batch of scattered points.

        With ``within``, only midpoints closer than that are looked for (a third of the
        k-d walk, for a band test): a distance up to ``within - max_half`` is the same as
        without it; a point with no boundary that close gets a distance above it (the
        nearest segment seen, or infinity and polygon -1 when none is), proven in that
        sense: no segment lies within ``within - max_half`` of it.
        """
        if len(x) < ORDERED_FROM:
            return self._nearest(x, y, k, within)
        order = z_order(x, y)
        distance = np.empty(len(x))
        owner = np.empty(len(x), dtype=np.int64)
        proven = np.empty(len(x), dtype=bool)
        # By blocks of neighbouring points: the k candidates' temporaries (about 700
        # bytes a point) stay a few megabytes, whatever the number of points.
        for start in range(0, len(x), NEAREST_BLOCK):
            block = order[start : start + NEAREST_BLOCK]
            found = self._nearest(x[block], y[block], k, within)
            distance[block], owner[block], proven[block] = found
            if len(x) >= RELEASE_FROM_POINTS:
                self.release_pages()
        return distance, owner, proven

    def _nearest(
        self, x: np.ndarray, y: np.ndarray, k: int, within: float = np.inf
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = len(x)
        if self.tree is None or n == 0:
            return np.full(n, np.inf), np.full(n, -1, dtype=np.int64), np.ones(n, dtype=bool)
        k = min(k, len(self.dx))
        # scipy starts Python threads per query (milliseconds each on a busy machine):
        # worth it for a slice's main query, not for the few points an exact pass asks.
        workers = -1 if n >= THREADS_FROM else 1
        mid_distance, seg = self.tree.query(
            np.column_stack([x, y]), k=k, workers=workers, distance_upper_bound=within
        )
        if k == 1:
            mid_distance, seg = mid_distance[:, None], seg[:, None]
        missing = seg >= len(self.dx)  # fewer than k midpoints within ``within``
        ex, ey = self._offsets(x, y, np.where(missing, 0, seg))
        squared = ex * ex + ey * ey
        squared[missing] = np.inf
        best = np.argmin(squared, axis=1)
        rows = np.arange(n)
        distance = np.hypot(ex[rows, best], ey[rows, best])
        none = missing[rows, best]  # not one midpoint within ``within``
        distance[none] = np.inf
        owner = np.where(none, -1, self.owner[np.where(none, 0, seg[rows, best])])
        # Proven: the k-th midpoint lies farther than the midpoint of any segment closer
        # than ``distance`` could (or beyond ``within``: every one within it was seen).
        last = mid_distance[:, -1]
        proven = (last > distance + self.max_half) | np.isinf(last) | (k == len(self.dx))
        return distance, owner.astype(np.int64), proven

    def exact(self, x: np.ndarray, y: np.ndarray, upper: np.ndarray) -> np.ndarray:
        """Exact distances for points whose distance is at most ``upper``: first with
        more nearest midpoints (vectorised, ``EXACT_K``: most points a first pass leaves
        unproven are proven by twice as many, and the few left by eight times as many,
        at a fraction of what eight times as many for all would cost), then, for the
        few still unproven, every segment whose midpoint lies within the best distance
        found + longest half-segment."""
        assert self.tree is not None
        result = np.array(upper, dtype=float)
        rest = np.arange(len(x))
        for k in EXACT_K:
            if len(rest) == 0:
                break
            wider, _, proven = self.nearest(x[rest], y[rest], k=k)
            # Proven: the exact distance; otherwise still an upper bound, and a smaller
            # bound makes the next search narrower.
            result[rest] = np.minimum(result[rest], wider)
            rest = rest[~proven]
        for i in rest:
            px, py = float(x[i]), float(y[i])
            near = self.tree.query_ball_point((px, py), result[i] + self.max_half)
            if near:
                seg = np.asarray(near, dtype=np.int64)[None, :]
                ex, ey = self._offsets(np.array([px]), np.array([py]), seg)
                result[i] = float(np.hypot(ex, ey).min())
        return result


def _cut(
    start: np.ndarray, end: np.ndarray, owner: np.ndarray, longest: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segments cut into equal pieces no longer than ``longest``, at the points GEOS's
    densifier (``shapely.segmentize``) would add: piece ``j`` of ``n`` starts at the
    fraction ``(j * (length / n)) / length`` of the segment."""
    delta = end - start
    length = np.sqrt(delta[:, 0] * delta[:, 0] + delta[:, 1] * delta[:, 1])
    pieces = np.maximum(np.ceil(length / longest), 1).astype(np.int64)
    pieces[length <= longest] = 1
    if (pieces == 1).all():
        return start, end, owner
    segment = np.repeat(np.arange(len(start)), pieces)
    j = np.arange(len(segment)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    n, size = pieces[segment], length[segment]
    with np.errstate(invalid="ignore", divide="ignore"):
        first = np.where(j == 0, 0.0, (j * (size / n)) / size)
        last = np.where(j + 1 == n, 1.0, ((j + 1) * (size / n)) / size)
    a, d = start[segment], delta[segment]
    cut_start = np.where((j == 0)[:, None], a, a + first[:, None] * d)
    cut_end = np.where((j + 1 == n)[:, None], end[segment], a + last[:, None] * d)
    return cut_start, cut_end, owner[segment]


def z_order(x: np.ndarray, y: np.ndarray, cell_size: float = Z_CELL_M) -> np.ndarray:
    """Positions that sort points along a Z-order (Morton) curve of square cells of
    ``cell_size`` (in the unit of the coordinates: 1 km for metric ones)."""
    cells = []
    for values in (x, y):
        cell = (values - values.min()) // max(cell_size, float(np.ptp(values)) / 65535)
        v = cell.astype(np.uint64)
        for shift, mask in ((8, 0x00FF00FF), (4, 0x0F0F0F0F), (2, 0x33333333), (1, 0x55555555)):
            v = (v | (v << np.uint64(shift))) & np.uint64(mask)
        cells.append(v)
    return np.argsort(cells[0] | (cells[1] << np.uint64(1)), kind="stable")


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
    return occurrences(key) == 1

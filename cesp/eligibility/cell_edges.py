"""Point-in-polygon inside one boundary cell, from the few edges that cross the cell.

A point in a boundary cell of ``cesp.eligibility.grid`` used to be tested against each
polygon whose boundary touches the cell with GEOS: decoding the polygon (a national
job decodes 25,000 commune polygons, 130 MB) and walking all its edges (some 80) per
test, a million tests in a national job. Inside one cell, far less is needed: the
cell's centre ``R`` is tested once when the grid is built, and a point ``p`` of the
cell is on the same side as ``R`` exactly when the segment ``[R, p]`` crosses the
polygon's boundary an even number of times (Jordan). That segment lies in the cell
(a cell is convex), so only the edges that reach the cell can cross it: a handful.

Why the edges kept for a cell are all those that can cross ``[R, p]``: an edge is
kept for every cell of the index range of its two ends, and every point of an edge
has its cell index in that range (the cell index is monotone in each coordinate: see
``cesp.eligibility.grid``). Edges are the polygon's own (its vertices, not densified
copies), so a crossing is decided on the geometry GEOS would test.

Exactness: each crossing is decided by the signs of four orientation determinants,
computed in floating point with Shewchuk's error bound (``ORIENTATION_ERROR``): a sign
is trusted only when the determinant is larger than the bound on its rounding error.
Whenever some edge's crossing is not decided that way (``p`` on or within rounding of
an edge, ``[R, p]`` through a vertex, a centre on the boundary), the pair goes back to
GEOS (``undecided``). So the answer is GEOS's ``intersects`` in every case: on the
boundary counts as inside.
"""

from __future__ import annotations

import numpy as np
import shapely

# Shewchuk's ccwerrboundA, (3 + 16 eps) eps, rounded up generously: a determinant
# larger than this times the sum of its two products' magnitudes has its true sign.
ORIENTATION_ERROR = 1e-15
CELL_EDGE_ARRAYS = ("edge_ptr", "edge_vertex", "vertices", "centre_inside")


def ring_edges(polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every ring vertex of the polygons (``vertices``), and the edges as positions
    ``v`` of their first vertex (the edge runs from ``v`` to ``v + 1``) with the index
    of their polygon; zero-length edges (repeated vertices) cross nothing and are left
    out."""
    parts, part_owner = shapely.get_parts(polygons, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    vertices, ring_of = shapely.get_coordinates(rings, return_index=True)
    same_ring = ring_of[1:] == ring_of[:-1]
    moves = (vertices[1:] != vertices[:-1]).any(axis=1)
    first = np.flatnonzero(same_ring & moves)
    owner = part_owner[ring_part[ring_of[first]]].astype(np.int64)
    return vertices, first, owner


def _orientation_sign(
    ax: np.ndarray,
    ay: np.ndarray,
    bx: np.ndarray,
    by: np.ndarray,
    cx: np.ndarray,
    cy: np.ndarray,
) -> np.ndarray:
    """Sign of the orientation of (a, b, c): +1 left turn, -1 right turn, 0 when the
    rounding error could hide the true sign (or it is truly 0)."""
    left = (ax - cx) * (by - cy)
    right = (ay - cy) * (bx - cx)
    det = left - right
    sure = np.abs(det) > ORIENTATION_ERROR * (np.abs(left) + np.abs(right))
    return np.where(sure, np.sign(det), 0.0)


def crossings(
    rx: np.ndarray,
    ry: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
    vertices: np.ndarray,
    edge: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """For segments ``[R, p]`` and edges ``edge`` (one per row): whether they cross,
    and whether that could be decided (False: too close to a degenerate case)."""
    ax, ay = vertices[edge, 0], vertices[edge, 1]
    bx, by = vertices[edge + 1, 0], vertices[edge + 1, 1]
    s1 = _orientation_sign(rx, ry, px, py, ax, ay)
    s2 = _orientation_sign(rx, ry, px, py, bx, by)
    s3 = _orientation_sign(ax, ay, bx, by, rx, ry)
    s4 = _orientation_sign(ax, ay, bx, by, px, py)
    apart = (s1 * s2 > 0) | (s3 * s4 > 0)  # both ends on one side of the other's line
    cross = (s1 * s2 < 0) & (s3 * s4 < 0)
    return cross, apart | cross


def parity_inside(
    row: np.ndarray,
    edge: np.ndarray,
    rx: np.ndarray,
    ry: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
    vertices: np.ndarray,
    centre_inside: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """For tests ``i`` (point ``p[i]`` against one polygon, whose state at the point's
    cell centre ``R[i]`` is ``centre_inside[i]``), given that polygon's edges in the
    cell as rows ``(row, edge)``: inside or not, and whether that was decided."""
    n = len(centre_inside)
    cross, decided = crossings(rx[row], ry[row], px[row], py[row], vertices, edge)
    odd = np.bincount(row, weights=cross, minlength=n).astype(np.int64) % 2 == 1
    undecided = np.bincount(row, weights=~decided, minlength=n) > 0
    return centre_inside ^ odd, ~undecided

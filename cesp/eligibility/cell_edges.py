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


def _orientation(
    ux: np.ndarray, uy: np.ndarray, vx: np.ndarray, vy: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(surely positive, surely negative) for the determinants ``u × v`` of rows of
    differences ``u = a - c``, ``v = b - c``: the orientation of (a, b, c), its sign
    trusted only beyond the bound on its rounding error (neither: too close to call)."""
    left = ux * vy
    right = uy * vx
    det = left - right
    bound = np.abs(left)
    bound += np.abs(right)
    bound *= ORIENTATION_ERROR
    return det > bound, det < -bound


def crossings(
    rx: np.ndarray, ry: np.ndarray, px: np.ndarray, py: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For segments ``[r, p]`` and edges ``ends[i] = [a, b]`` (an ``(n, 2, 2)`` array):
    whether they cross, and whether that could be decided (False: too close to a
    degenerate case).

    Each orientation takes its differences from its own third point, as Shewchuk's
    bound requires: (r, p, a) from ``a``, (r, p, b) from ``b``, (a, b, r) from ``r``
    and (a, b, p) from ``p``; four differences serve all four."""
    ax, ay, bx, by = ends[:, 0, 0], ends[:, 0, 1], ends[:, 1, 0], ends[:, 1, 1]
    rax, ray, pax, pay = rx - ax, ry - ay, px - ax, py - ay
    rbx, rby, pbx, pby = rx - bx, ry - by, px - bx, py - by
    left_a, right_a = _orientation(rax, ray, pax, pay)  # (r, p, a)
    left_b, right_b = _orientation(rbx, rby, pbx, pby)  # (r, p, b)
    left_r, right_r = _orientation(rax, ray, rbx, rby)  # (a, b, r): (a - r) × (b - r)
    left_p, right_p = _orientation(pax, pay, pbx, pby)  # (a, b, p)
    same_ab = (left_a & left_b) | (right_a & right_b)
    same_rp = (left_r & left_p) | (right_r & right_p)
    cross = ((left_a & right_b) | (right_a & left_b)) & ((left_r & right_p) | (right_r & left_p))
    return cross, same_ab | same_rp | cross


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
    # Both ends of each edge in one gather (``take``: several times faster than
    # fancy indexing of rows here).
    ends = np.take(vertices, edge[:, None] + np.arange(2), axis=0)
    cross, decided = crossings(rx[row], ry[row], px[row], py[row], ends)
    odd = np.bincount(row, weights=cross, minlength=n).astype(np.int64) % 2 == 1
    undecided = np.bincount(row, weights=~decided, minlength=n) > 0
    return centre_inside ^ odd, ~undecided

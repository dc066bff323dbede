"""Geometries of the index as one WKB buffer, decoded only where a query needs them.

A stored national index holds some 42,000 commune polygons (48 MB of WKB): decoding
and preparing them all takes about half a second, while a single request tests one or
two of them and a bulk job the few thousand its points fall near. ``GeometryColumn``
keeps the WKB (memory-mapped from the index file) with the offsets of each geometry,
and decodes a geometry the first time it is indexed. Indexing behaves like a NumPy
object array (an int, an int array, a boolean mask, a slice or a list).

Geometries are not prepared (``shapely.prepare``): a prepared polygon builds an index
of its edges on its first test, about as large as the polygon itself. Commune
polygons have some 70 vertices on average, which a plain point-in-polygon test scans
in about the time the prepared one takes; measured on a million points of a bulk job,
the same CPU time and 130 MB less memory (797 MB against 663 MB).

Decoded geometries are kept: the column is filled at most once per geometry. Two
threads decoding the same geometry at once both store an equal geometry (harmless).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely


class GeometryColumn:
    """Geometries decoded from WKB on first use.

    Parameters
    ----------
    wkb
        The concatenated WKB of all geometries (``uint8``, may be memory-mapped).
    offsets
        ``len + 1`` positions: geometry ``i`` is ``wkb[offsets[i]:offsets[i + 1]]``.
    """

    def __init__(self, wkb: np.ndarray, offsets: np.ndarray):
        self.wkb = wkb
        self.offsets = offsets
        self._values = np.empty(len(offsets) - 1, dtype=object)
        self._decoded = np.zeros(len(offsets) - 1, dtype=bool)

    @classmethod
    def of(cls, geometries: np.ndarray) -> GeometryColumn:
        """A column holding ``geometries`` (already decoded: nothing left to decode)."""
        encoded = shapely.to_wkb(np.asarray(geometries, dtype=object))
        lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        wkb = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        column = cls(wkb, offsets)
        column._values[:] = geometries
        column._decoded[:] = True
        return column

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The column as named arrays (``cesp.eligibility.cache_files``)."""
        return {f"{prefix}.wkb": self.wkb, f"{prefix}.offsets": self.offsets}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> GeometryColumn:
        """The column of ``to_arrays`` (nothing decoded yet)."""
        return cls(arrays[f"{prefix}.wkb"], arrays[f"{prefix}.offsets"])

    def __len__(self) -> int:
        """The number of geometries."""
        return len(self._values)

    def __getitem__(self, key: Any) -> Any:
        """Geometries as a NumPy object array would give them (decoded if needed)."""
        if isinstance(key, np.ndarray) and key.dtype.kind in "iu":
            rows = key  # the hot path (grid tests): row numbers already
        else:
            rows = np.arange(len(self._values))[key]
        if np.ndim(rows) == 0:
            self._decode(np.array([rows]))
            return self._values[rows]
        self._decode(np.asarray(rows))
        return self._values[rows]

    def all(self) -> np.ndarray:
        """Every geometry, decoded."""
        return self[:]

    def _decode(self, rows: np.ndarray) -> None:
        missing = rows[~self._decoded[rows]]
        if len(missing) == 0:
            return
        missing = np.unique(missing)
        start, end = self.offsets[missing], self.offsets[missing + 1]
        buffer = self.wkb
        parts = [buffer[a:b].tobytes() for a, b in zip(start.tolist(), end.tolist(), strict=True)]
        decoded = shapely.from_wkb(np.array(parts, dtype=object))
        self._values[missing] = decoded  # values first: a reader trusting the flag finds them
        self._decoded[missing] = True

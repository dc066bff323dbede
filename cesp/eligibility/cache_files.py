"""The file format of the zoning index cache: named arrays, memory-mapped when read.

A file is ``MAGIC``, a fixed header (lengths of the key and of the manifest, CRC-32s),
the key, a JSON manifest, then the arrays, each aligned on 64 bytes. The manifest
holds plain metadata (``meta``: versions, decrees, scalars) and, for each array, its
name, dtype, shape and place in the file. Reading maps the file and returns NumPy
views on it: nothing is copied or decoded, so a national index opens in milliseconds
(the pickle it replaces took 0.7 s to load) and the pages a process never touches are
never read. Any array format change only adds names: readers look arrays up by name.

Integrity: the manifest and the payload carry 64-bit XXH3 digests, checked at every
read (XXH3 hashes 200 MB in about 15 ms here, four times faster than ``zlib.crc32``,
which would be most of the time a load takes). The payload is hashed as read through
a small buffer, not through the mapping, so that only the pages a job uses count in
its memory. A truncated, torn or overwritten file
fails them and is rebuilt by the caller. Nothing in a file is executed: unlike a pickle, a file from
elsewhere can at worst give wrong data, and only if its checksums are right.

A long job lets go of the pages it has read (``release_pages``) as it goes: the kernel
maps a cached file by whole folios, so scattered reads would otherwise keep most of
the file in its resident memory.

Written under a temporary name and renamed into place: a reader sees a whole file or
none, and a reader that mapped an older file keeps its pages after the rename.
"""

from __future__ import annotations

import contextlib
import json
import mmap
import os
import struct
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xxhash
from numpy.lib.array_utils import byte_bounds

MAGIC = b"CESPARR2"
HEADER = struct.Struct("<IIQ")  # key length, manifest length, manifest digest
ALIGN = 64
READ_BYTES = 1 << 22
# Batches of fewer points read too few pages to gain from ``release_pages`` (and the
# API's single checks would pay the faults of reading them again).
RELEASE_FROM_POINTS = 4096


class DamagedFileError(ValueError):
    """A cache file that is not a whole index file of this format."""


def _padding(position: int) -> int:
    return -position % ALIGN


def _digest(data: Any) -> int:
    return int(xxhash.xxh3_64_intdigest(data))


def _file_digest(path: Path, start: int) -> int:
    """The digest of the file from ``start``, read by ``read()`` into one small buffer.

    Hashing through the mapping would touch every page of it: they would all count in
    the process's resident memory, though a job uses a fraction of them.
    """
    digest = xxhash.xxh3_64()
    buffer = bytearray(READ_BYTES)
    with open(path, "rb", buffering=0) as handle:
        handle.seek(start)
        while count := handle.readinto(buffer):
            digest.update(memoryview(buffer)[:count])
    return int(digest.intdigest())


def write_file(
    target: Path, key: str, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]
) -> None:
    """Write ``meta`` (JSON-serialisable) and ``arrays`` under ``key`` to ``target``,
    atomically."""
    entries: dict[str, list[Any]] = {}
    position = 0
    blobs: list[np.ndarray] = []
    for name, array in arrays.items():
        if array.dtype.hasobject:
            raise TypeError(f"array {name!r} holds Python objects: encode it first")
        contiguous = np.ascontiguousarray(array)
        position += _padding(position)
        entries[name] = [contiguous.dtype.str, list(contiguous.shape), position]
        blobs.append(contiguous)
        position += contiguous.nbytes
    size = position
    payload = bytearray(size)
    for (_, _, offset), blob in zip(entries.values(), blobs, strict=True):
        payload[offset : offset + blob.nbytes] = blob.reshape(-1).view(np.uint8).data
    manifest = json.dumps(
        {"meta": meta, "arrays": entries, "size": size, "digest": _digest(payload)},
        separators=(",", ":"),
    ).encode()
    encoded = key.encode()
    header = (
        MAGIC + HEADER.pack(len(encoded), len(manifest), _digest(manifest)) + encoded + manifest
    )
    header += bytes(_padding(len(header)))
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=target.name + ".", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(header)
            handle.write(payload)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def read_file(path: Path, key: str) -> tuple[dict[str, Any], dict[str, np.ndarray]] | None:
    """``(meta, arrays)`` of the file at ``path``, the arrays read-only views on its
    mapping; None when it is the file of another key. Raises ``FileNotFoundError``
    when there is no file, ``DamagedFileError`` when it is damaged."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size < len(MAGIC) + HEADER.size:
            raise DamagedFileError("too short for an index file")
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(mapped)
    if view[: len(MAGIC)] != MAGIC:
        raise DamagedFileError("not a zoning index file of this format")
    start = len(MAGIC) + HEADER.size
    key_length, manifest_length, manifest_digest = HEADER.unpack(view[len(MAGIC) : start])
    if start + key_length + manifest_length > size:
        raise DamagedFileError("header beyond the end of the file (truncated)")
    if bytes(view[start : start + key_length]) != key.encode():
        return None
    manifest_bytes = view[start + key_length : start + key_length + manifest_length]
    if _digest(manifest_bytes) != manifest_digest:
        raise DamagedFileError("manifest checksum mismatch (damaged file)")
    manifest = json.loads(bytes(manifest_bytes))
    begin = start + key_length + manifest_length
    begin += _padding(begin)
    if size - begin != manifest["size"]:
        raise DamagedFileError(f"payload of {size - begin} bytes, {manifest['size']} expected")
    if _file_digest(path, begin) != manifest["digest"]:
        raise DamagedFileError("payload checksum mismatch (truncated or damaged file)")
    arrays = {}
    for name, (dtype, shape, offset) in manifest["arrays"].items():
        count = int(np.prod(shape, dtype=np.int64))
        array = np.frombuffer(mapped, dtype=np.dtype(dtype), count=count, offset=begin + offset)
        arrays[name] = array.reshape(shape)
    return manifest["meta"], arrays


def encode_strings(values: np.ndarray) -> dict[str, np.ndarray]:
    """A column of texts (None allowed) as arrays, dictionary-encoded: the distinct
    texts as UTF-8 joined by NUL, which of them is None, and one code per row. Most
    columns hold a few distinct values (kinds, regions): decoding them creates a few
    strings, not one per row."""
    lookup: dict[object, int] = {}
    codes = np.fromiter(
        (lookup.setdefault(v, len(lookup)) for v in values), dtype=np.int32, count=len(values)
    )
    distinct = ["" if v is None else str(v) for v in lookup]
    if any("\0" in t for t in distinct):
        raise ValueError("a text holds a NUL character")
    return {
        "text": np.frombuffer("\0".join(distinct).encode(), dtype=np.uint8),
        "distinct": np.array([len(distinct)], dtype=np.int64),
        "nulls": np.array([i for i, v in enumerate(lookup) if v is None], dtype=np.int64),
        "codes": codes,
    }


def decode_strings(arrays: Mapping[str, np.ndarray], prefix: str) -> np.ndarray:
    """The object array of ``encode_strings`` (arrays named ``prefix.text``...)."""
    distinct = np.empty(int(arrays[f"{prefix}.distinct"][0]), dtype=object)
    if len(distinct):
        distinct[:] = arrays[f"{prefix}.text"].tobytes().decode().split("\0")
        distinct[arrays[f"{prefix}.nulls"]] = None
    return distinct[arrays[f"{prefix}.codes"]]


def _mapping_of(array: np.ndarray) -> mmap.mmap | None:
    """The file mapping ``array`` is a view on (``read_file``), or None."""
    base: Any = array
    while base is not None and not isinstance(base, mmap.mmap):
        base = base.obj if isinstance(base, memoryview) else getattr(base, "base", None)
    return base


def release_pages(*arrays: np.ndarray) -> None:
    """Let go of this process's mapping of the file pages under ``arrays`` (views from
    ``read_file``); arrays in ordinary memory are left alone, untouched.

    The kernel maps a cached file by whole folios: on the ext4 of these machines one
    read of one float maps 512 pages (2 MB, measured with ``/proc/self/pagemap``), so
    a few thousand scattered reads map all of a 45 MB array, and all of it counts in
    the process's resident memory. The pages stay in the page cache: the next read maps
    them again for a minor fault. A long job lets go of what each step read before the
    next one (``cesp.eligibility.grid``, ``cesp.eligibility.segments``): it then holds
    what one step reads, not the whole index (a 100,000-row bulk check: about 90 MB
    less at its peak)."""
    for array in arrays:
        mapped = _mapping_of(array)
        if mapped is None or array.nbytes == 0:
            continue
        start = np.frombuffer(mapped, dtype=np.uint8, count=1).ctypes.data
        low, high = byte_bounds(array)
        first = (low - start) // mmap.PAGESIZE * mmap.PAGESIZE
        last = min(-(-(high - start) // mmap.PAGESIZE) * mmap.PAGESIZE, len(mapped))
        mapped.madvise(mmap.MADV_DONTNEED, first, last - first)

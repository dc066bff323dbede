"""The file format of the zoning index cache: a pickle behind a header naming its key.

A file is ``MAGIC``, the key's length and the payload's CRC-32, the key, the payload.
It is written under a temporary name and renamed into place (a reader sees a whole file
or none); without fsync, a file torn by a crash fails its checksum and is rebuilt.
Files are pickles: the directory must be writable by the service only.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import tempfile
import zlib
from pathlib import Path
from typing import TypeVar

MAGIC = b"CESPIDX1"
T = TypeVar("T")


def write_file(target: Path, key: str, value: object) -> None:
    """Write ``value`` under ``key`` to ``target``, atomically."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    encoded = key.encode()
    header = MAGIC + struct.pack("<II", len(encoded), zlib.crc32(payload)) + encoded
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


def decode(data: bytes, key: str, expected: type[T]) -> T | None:
    """The value in a file's bytes; None when the file is that of another key. Raises
    when the file is damaged or holds something else than an ``expected``."""
    if data[: len(MAGIC)] != MAGIC:
        raise ValueError("not a zoning index file")
    start = len(MAGIC) + 8
    length, crc = struct.unpack("<II", data[len(MAGIC) : start])
    if data[start : start + length].decode() != key:
        return None
    payload = memoryview(data)[start + length :]
    if zlib.crc32(payload) != crc:
        raise ValueError("checksum mismatch (truncated or damaged file)")
    value = pickle.loads(payload)
    if not isinstance(value, expected):
        raise TypeError(f"expected a {expected.__name__}, found {type(value).__name__}")
    return value

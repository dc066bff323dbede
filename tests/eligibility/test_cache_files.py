"""Index files: the pages a job lets go of come back unchanged, and nothing else is touched."""

from __future__ import annotations

import mmap
from pathlib import Path

import numpy as np

from cesp.eligibility.cache_files import read_file, release_pages, write_file


def _mapped_pages(array: np.ndarray) -> int:
    """How many pages under ``array`` are mapped in this process (``/proc/self/pagemap``:
    bit 63 of a page's entry says it is present)."""
    address = array.ctypes.data
    first = address // mmap.PAGESIZE
    last = (address + array.nbytes - 1) // mmap.PAGESIZE
    with open("/proc/self/pagemap", "rb") as pagemap:
        pagemap.seek(first * 8)
        entries = np.frombuffer(pagemap.read((last - first + 1) * 8), dtype=np.uint64)
    return int(((entries >> np.uint64(63)) & np.uint64(1)).sum())


def test_pages_let_go_are_read_again_with_the_same_values(tmp_path: Path):
    values = np.random.default_rng(3).uniform(size=(1 << 20, 2))  # 16 MB
    write_file(tmp_path / "index.bin", "key", {}, {"vertices": values, "small": np.arange(5)})
    found = read_file(tmp_path / "index.bin", "key")
    assert found is not None
    vertices = found[1]["vertices"]
    assert np.array_equal(vertices, values)
    assert _mapped_pages(vertices) > 0
    release_pages(*found[1].values())
    assert _mapped_pages(vertices) == 0, "no longer in this process's memory"
    assert np.array_equal(vertices, values), "read again from the page cache, unchanged"
    assert np.array_equal(found[1]["small"], np.arange(5))


def test_only_the_pages_under_the_given_arrays_are_let_go(tmp_path: Path):
    first, second = np.ones(1 << 20), np.full(1 << 20, 2.0)  # 8 MB each
    write_file(tmp_path / "index.bin", "key", {}, {"first": first, "second": second})
    found = read_file(tmp_path / "index.bin", "key")
    assert found is not None
    mapped_first, mapped_second = found[1]["first"], found[1]["second"]
    assert mapped_first.sum() == len(first) and mapped_second.sum() == 2 * len(second)
    release_pages(mapped_first[10:-10])
    assert _mapped_pages(mapped_first) == 0
    assert _mapped_pages(mapped_second) > 0


def test_arrays_in_ordinary_memory_keep_their_values():
    """Letting go of anonymous memory would zero it: such arrays are left alone."""
    values = np.arange(1 << 20, dtype=np.float64)
    view = values[::3]
    release_pages(values, view, np.zeros(0))
    assert np.array_equal(values, np.arange(1 << 20, dtype=np.float64))
    assert _mapped_pages(values) >= values.nbytes // mmap.PAGESIZE, "still all in memory"

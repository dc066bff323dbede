"""Sort-based distinct values and counts agree with ``np.unique``, run owners with
``np.repeat``."""

from __future__ import annotations

import numpy as np

from cesp.eligibility.runs import occurrences, run_owners, run_starts, sorted_distinct


def test_distinct_values_and_counts_agree_with_numpy():
    rng = np.random.default_rng(11)
    values = rng.integers(-50, 50, 5_000).astype(np.int64)
    distinct, counts = np.unique(values, return_counts=True)
    assert sorted_distinct(values).tolist() == distinct.tolist()
    assert occurrences(values).tolist() == counts[np.searchsorted(distinct, values)].tolist()


def test_empty_and_single_arrays():
    empty = np.array([], dtype=np.int64)
    assert run_starts(empty).tolist() == []
    assert sorted_distinct(empty).tolist() == []
    assert occurrences(empty).tolist() == []
    assert occurrences(np.array([7], dtype=np.uint64)).tolist() == [1]


def test_run_owners_are_those_of_numpy_repeat():
    rng = np.random.default_rng(3)
    for counts in (
        rng.integers(0, 4, 2_000),  # zero-length runs everywhere, first and last included
        np.array([0, 0, 5, 0]),
        np.array([1]),
        np.zeros(3, dtype=np.int64),
        np.array([], dtype=np.int64),
    ):
        expected = np.repeat(np.arange(len(counts)), counts)
        assert run_owners(counts).tolist() == expected.tolist()

"""Sort-based distinct values and counts agree with ``np.unique``."""

from __future__ import annotations

import numpy as np

from cesp.eligibility.runs import occurrences, run_starts, sorted_distinct


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

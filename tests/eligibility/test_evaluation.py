"""``evaluate_points``: a long batch, checked in space order on a mapped index that lets
go of its pages as it goes, answers exactly as the same points asked a few at a time."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from cesp.eligibility.cache_files import RELEASE_FROM_POINTS
from cesp.eligibility.evaluation import PointAnswers, evaluate_points
from cesp.eligibility.index_cache import IndexCache
from cesp.eligibility.zoning_index import ZoningIndex


def _ask(index: ZoningIndex, lon, lat, on, profession, offset: int = 0) -> dict[str, Any]:
    answers = evaluate_points(index, lon, lat, on, profession)
    per_point: dict[str, Any] = {
        name: getattr(answers, name).tolist()
        for name in ("status", "eligible", "commune_row", "arrondissement_row", "nearest_row")
    }
    per_point["distance_m"] = np.nan_to_num(answers.distance_m, nan=-1.0).tolist()
    per_point["zones"] = _pairs(answers.zone_point + offset, answers.zone_row)
    per_point["candidates"] = _pairs(answers.candidate_point + offset, answers.candidate_row)
    return per_point


def _pairs(points: np.ndarray, rows: np.ndarray) -> set[tuple[int, int]]:
    return set(zip(points.tolist(), rows.tolist(), strict=True))


def test_a_long_batch_answers_as_its_points_asked_a_few_at_a_time(
    idf_engine, decree_2012, decree_2018, tmp_path
):
    cache = IndexCache(tmp_path / "cache")
    cache.load_or_build(idf_engine)
    index = cache.load_or_build(idf_engine)
    assert index.origin == "loaded", "arrays mapped from the file: pages are let go"
    n = 3 * RELEASE_FROM_POINTS
    rng = np.random.default_rng(11)
    lon, lat = rng.uniform(2.1, 2.7, n), rng.uniform(48.7, 49.05, n)
    days = [date(2011, 6, 1), date(2013, 1, 1), date(2018, 6, 1)]
    on = np.array([days[i % 3].toordinal() for i in range(n)])
    profession = np.array(["medecin", "chirurgien-dentiste"] * (n // 2), dtype=object)
    whole = _ask(index, lon, lat, on, profession)
    step = RELEASE_FROM_POINTS // 4
    parts: list[dict[str, Any]] = [
        _ask(index, *(a[s : s + step] for a in (lon, lat, on, profession)), offset=s)
        for s in range(0, n, step)
    ]
    for name, value in whole.items():
        if isinstance(value, set):
            assert value == set().union(*(p[name] for p in parts)), name
        else:
            assert value == [v for p in parts for v in p[name]], name
    assert len(set(whole["status"])) >= 3, "eligible, not eligible and more among them"
    assert whole["zones"], "points in zones"


def test_answers_put_back_in_the_order_asked():
    order = np.array([2, 0, 1])
    asked = PointAnswers(
        crs=np.array(["a", "b", "c"], dtype=object),
        status=np.array(["s2", "s0", "s1"], dtype=object),
        eligible=np.array([True, False, False]),
        commune_row=np.array([20, 0, 10]),
        arrondissement_row=np.array([-1, -1, -1]),
        nearest_row=np.array([2, 0, 1]),
        distance_m=np.array([2.0, 0.0, 1.0]),
        zone_point=np.array([0, 0, 2]),
        zone_row=np.array([7, 8, 9]),
        candidate_point=np.array([1]),
        candidate_row=np.array([5]),
        territory=np.array([0, 1, 2]),
        status_code=np.array([2, 0, 1]),
    )
    back = asked.put_back(order)
    assert back.status.tolist() == ["s0", "s1", "s2"]
    assert back.commune_row.tolist() == [0, 10, 20]
    assert back.crs.tolist() == ["b", "c", "a"]
    pairs = zip(back.zone_point.tolist(), back.zone_row.tolist(), strict=True)
    assert list(pairs) == [(2, 7), (2, 8), (1, 9)]
    assert back.candidate_point.tolist() == [0] and back.candidate_row.tolist() == [5]

"""The in-memory zoning index: agreement with the database, batches, and its holder."""

from __future__ import annotations

import time
from datetime import date

import numpy as np
import pytest
import shapely
import sqlalchemy as sa

from cesp.eligibility.check import check, check_points, evaluate_points
from cesp.eligibility.holder import IndexHolder
from cesp.eligibility.index import build_index
from cesp.eligibility.sites import PointSite
from cesp.eligibility.wording import explain_fr
from cesp.geo.crs import LAMBERT93, WGS84, reproject, transformer
from cesp.zones.decrees import decree_zones
from tests.zones.helpers import (
    REFERENCE_2018,
    bundled_2012_subset,
    publish_codes,
    publish_drawn_2018,
)

QUALIFYING = ("zone_deficitaire", "ZIP", "ZAC")
DATES = (date(2013, 1, 1), date(2018, 6, 1))


def _bbox(conn: sa.Connection) -> tuple[float, float, float, float]:
    """Bounding box (WGS84) of the loaded communes."""
    rows = conn.execute(sa.text("SELECT ST_AsBinary(geom) FROM commune_units")).all()
    return tuple(shapely.total_bounds(shapely.from_wkb([bytes(r[0]) for r in rows])))


def _qualifying_zones(conn: sa.Connection, on: date) -> list[int]:
    rows = conn.execute(
        sa.text(
            "SELECT z.id FROM zones z JOIN decrees d ON d.id = z.decree_id "
            "WHERE d.status IN ('published', 'superseded') AND d.effective_from <= :on "
            "AND (d.effective_to IS NULL OR d.effective_to >= :on) AND z.category IN :cats"
        ).bindparams(sa.bindparam("cats", expanding=True)),
        {"on": on, "cats": list(QUALIFYING)},
    )
    return [r[0] for r in rows]


def _database_hits(
    conn: sa.Connection, backend: str, lon: np.ndarray, lat: np.ndarray, zone_ids: list[int]
) -> np.ndarray:
    """Which points the database puts in one of the zones (its own spatial predicate)."""
    ids = list(range(len(lon)))
    if backend == "spatialite":
        conn.execute(sa.text("CREATE TEMP TABLE probe (i INTEGER PRIMARY KEY, lon REAL, lat REAL)"))
        conn.execute(
            sa.text("INSERT INTO probe VALUES (:i, :lon, :lat)"),
            [
                {"i": i, "lon": float(x), "lat": float(y)}
                for i, x, y in zip(ids, lon, lat, strict=True)
            ],
        )
        sql = (
            "SELECT DISTINCT p.i FROM probe p JOIN zones z "
            "ON ST_Intersects(z.geom, MakePoint(p.lon, p.lat, 4326)) WHERE z.id IN :zones"
        )
        params: dict = {}
    else:
        sql = (
            "SELECT DISTINCT p.i FROM unnest(CAST(:ids AS integer[]), "
            "CAST(:lon AS double precision[]), CAST(:lat AS double precision[])) "
            "AS p(i, lon, lat) JOIN zones z "
            "ON ST_Covers(z.geom, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)) "
            "WHERE z.id IN :zones"
        )
        params = {"ids": ids, "lon": [float(x) for x in lon], "lat": [float(y) for y in lat]}
    statement = sa.text(sql).bindparams(sa.bindparam("zones", expanding=True))
    rows = conn.execute(statement, {**params, "zones": zone_ids}).all()
    if backend == "spatialite":
        conn.execute(sa.text("DROP TABLE probe"))
    hits = np.zeros(len(lon), dtype=bool)
    hits[[r[0] for r in rows]] = True
    return hits


def test_engine_agrees_with_the_database(idf_engine, backend, tmp_path):
    """10,000 random points over 75, 92 and 93, half dated 2013 (the authored 12-209 cut
    to these départements: zones built from communes), half 2018 (17-1000: drawn zones
    and a non-qualifying ZV), and 2,000 more a few metres around zone vertices: the
    engine's ``eligible`` equals the database's own test against the qualifying zones in
    force on the point's date.

    The engine works in Lambert-93 metres, the database in WGS84 degrees: a point within
    rounding distance of a boundary may fall on either side, so a disagreement is only
    allowed within 1 m of a zone boundary (none is expected in practice).
    """
    publish_codes(idf_engine, tmp_path / "12-209.csv", bundled_2012_subset())
    publish_drawn_2018(idf_engine, tmp_path / "17-1000.geojson")
    index = build_index(idf_engine)
    rng = np.random.default_rng(20120524)
    n = 10_000
    with idf_engine.connect() as conn:
        minx, miny, maxx, maxy = _bbox(conn)
        lon = rng.uniform(minx, maxx, n)
        lat = rng.uniform(miny, maxy, n)
        # and 2,000 more within metres of zone vertices, where the two could disagree
        vertices = shapely.get_coordinates(
            [z.geometry for z in decree_zones(conn, list(index.decrees))]
        )
        picked = vertices[rng.integers(0, len(vertices), 2_000)]
        lon = np.concatenate([lon, picked[:, 0] + rng.normal(0, 2e-5, 2_000)])
        lat = np.concatenate([lat, picked[:, 1] + rng.normal(0, 2e-5, 2_000)])
        n = len(lon)
        on = np.where(np.arange(n) % 2 == 0, DATES[0].toordinal(), DATES[1].toordinal())
        answers = evaluate_points(index, lon, lat, on, np.full(n, "medecin", dtype=object))
        database = np.zeros(n, dtype=bool)
        boundaries = []
        for when in DATES:
            zone_ids = _qualifying_zones(conn, when)
            mask = on == when.toordinal()
            database[mask] = _database_hits(conn, backend, lon[mask], lat[mask], zone_ids)
            zones = decree_zones(
                conn, [d.id for d in index.decrees.values() if d.in_force_on(when)]
            )
            boundaries.append(
                shapely.union_all([reproject(z.geometry, WGS84, LAMBERT93).boundary for z in zones])
            )

    assert 300 < database.sum() < n // 2, "the test needs points on both sides"
    assert set(answers.status) >= {"eligible", "not_eligible", "borderline", "outside_territory"}
    differ = np.flatnonzero(answers.eligible != database)
    x, y = transformer(WGS84, LAMBERT93).transform(lon[differ], lat[differ])
    for i, px, py in zip(differ, x, y, strict=True):
        boundary = boundaries[0] if on[i] == DATES[0].toordinal() else boundaries[1]
        assert boundary.distance(shapely.Point(px, py)) <= 1.0, (lon[i], lat[i], on[i])


def test_a_large_batch_answers_like_single_checks(idf_engine, decree_2012, decree_2018):
    """600 points checked in one batch (grouped by date, one k-d query for the band and
    the distances) give the same answers as 600 one-point checks. Half the points are
    drawn near zone boundaries, where the grid sends them to real polygon tests."""
    index = build_index(idf_engine)
    rng = np.random.default_rng(7)
    with idf_engine.connect() as conn:
        minx, miny, maxx, maxy = _bbox(conn)
        zones = decree_zones(conn, list(index.decrees))
    vertices = shapely.get_coordinates([z.geometry for z in zones])
    near = vertices[rng.integers(0, len(vertices), 300)] + rng.normal(0, 0.0006, (300, 2))
    spread = np.column_stack([rng.uniform(minx, maxx, 300), rng.uniform(miny, maxy, 300)])
    points = np.vstack([near, spread])
    sites = [PointSite(float(lon), float(lat)) for lon, lat in points]
    dates = [DATES[i % 2] for i in range(len(sites))]
    batch = check_points(index, sites, dates, ["medecin"] * len(sites))
    single = [check(index, None, s, d) for s, d in zip(sites, dates, strict=True)]

    statuses = {r.status for r in batch}
    assert {"eligible", "not_eligible", "borderline"} <= statuses
    for one, many in zip(single, batch, strict=True):
        assert (many.status, many.eligible) == (one.status, one.eligible), one.site
        assert many.commune == one.commune and many.arrondissement == one.arrondissement
        assert [z.zone_id for z in many.zones] == [z.zone_id for z in one.zones]
        assert (many.nearest and many.nearest.zone_id) == (one.nearest and one.nearest.zone_id)
        if one.distance_m is None:
            assert many.distance_m is None
        else:
            assert many.distance_m == pytest.approx(one.distance_m, abs=0.1)
        assert explain_fr(many) == explain_fr(one)


def test_holder_rebuilds_once_when_a_decree_is_published(idf_engine, decree_2012, tmp_path):
    holder = IndexHolder(idf_engine)
    first = holder.index
    assert holder.index is first, "the index is built once, then reused"
    assert holder.refresh() is False
    assert {d.reference for d in first.decrees.values()} == {"12-209"}

    publish_drawn_2018(idf_engine, tmp_path / "17-1000.geojson")
    with idf_engine.connect() as conn:
        version = conn.execute(sa.text("SELECT version FROM index_version")).scalar_one()
    assert version > first.version

    assert holder.refresh() is True
    fresh = holder.index
    assert fresh is not first and fresh.version == version
    assert {d.reference for d in fresh.decrees.values()} == {"12-209", REFERENCE_2018}
    assert holder.refresh() is False
    assert holder.index is fresh

    drancy_west = PointSite(2.425, 48.925)
    assert check(first, None, drancy_west, date(2018, 6, 1)).status == "not_eligible"
    assert check(fresh, None, drancy_west, date(2018, 6, 1)).status == "eligible"


def test_holder_polls_in_the_background(idf_engine, decree_2012, tmp_path):
    holder = IndexHolder(idf_engine, poll_seconds=0.05)
    old = holder.index
    holder.start()
    try:
        publish_drawn_2018(idf_engine, tmp_path / "17-1000.geojson")
        for _ in range(200):
            if holder.index is not old:
                break
            time.sleep(0.05)
    finally:
        holder.stop()
    assert REFERENCE_2018 in {d.reference for d in holder.index.decrees.values()}

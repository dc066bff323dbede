"""The CRS of the OGC API: names, axis order, the area a bbox covers."""

from __future__ import annotations

import pytest
from shapely.geometry import Point, box

from cesp.errors import InvalidInputError
from cesp.geo.crs import LAMBERT93, WGS84, transformer
from cesp.ogc.crs import CRS84, EPSG4326_URI, LAMBERT93_URI, bbox_area, parse_crs, to_output
from tests.ogc.test_query import _field, _query


def test_bbox_in_crs84_lambert_93_and_across_the_antimeridian():
    area = _query(bbox="2.40,48.90,2.45,48.93").area
    assert area.bounds == (2.40, 48.90, 2.45, 48.93)
    x, y = transformer(WGS84, LAMBERT93).transform(2.4397, 48.9086)
    lambert = _query(bbox=f"{x - 50},{y - 50},{x + 50},{y + 50}", bbox_crs=LAMBERT93_URI).area
    assert lambert.contains(Point(2.4397, 48.9086))
    assert lambert.area < 2e-6, "a 100 m square, in degrees"
    wrapped = _query(bbox="170,-20,-170,-10").area
    assert wrapped.contains(Point(175, -15)) and wrapped.contains(Point(-175, -15))
    assert not wrapped.contains(Point(0, -15))
    assert _query(bbox="2,48,0,3,49,0").area.bounds == (2, 48, 3, 49)


def test_crs_by_uri_or_short_name_and_unsupported_ones():
    assert parse_crs(None, "crs") is CRS84
    assert parse_crs("EPSG:2154", "crs").uri == LAMBERT93_URI
    assert parse_crs("https://www.opengis.net/def/crs/EPSG/0/2154", "crs").uri == LAMBERT93_URI
    assert _field(lambda: _query(crs="EPSG:3857")) == "crs"
    assert _field(lambda: _query(bbox="1,2,3,4", bbox_crs="EPSG:27572")) == "bbox-crs"


def test_output_axis_order_follows_the_crs_definition():
    bobigny = Point(2.4397, 48.9086)
    assert to_output(bobigny, CRS84).equals(bobigny)
    lat_first = to_output(bobigny, parse_crs(EPSG4326_URI, "crs"))
    assert (lat_first.x, lat_first.y) == (48.9086, 2.4397)
    metres = to_output(bobigny, parse_crs(LAMBERT93_URI, "crs"))
    assert (metres.x, metres.y) == pytest.approx(
        transformer(WGS84, LAMBERT93).transform(2.4397, 48.9086)
    )


def test_a_latitude_first_bbox_covers_the_same_area():
    lat_first = bbox_area((48.90, 2.40, 48.93, 2.45), parse_crs("EPSG:4326", "bbox-crs"))
    assert lat_first.equals(box(2.40, 48.90, 2.45, 48.93))
    with pytest.raises(InvalidInputError):
        parse_crs("EPSG:3857", "crs")

"""Parsing of the ``/items`` parameters: limit, datetime, bbox, CRS, filters."""

from __future__ import annotations

from datetime import date

import pytest

from cesp.errors import InvalidInputError
from cesp.ogc.query import MAX_LIMIT, Period, Queryable, build_query, clamp_limit, parse_datetime

REGION = Queryable("region", "COG region code", r"\d{2}")


def _query(**overrides):
    fields = {
        "limit": None,
        "offset": None,
        "bbox": None,
        "bbox_crs": None,
        "datetime_text": None,
        "crs": None,
        "filters": {},
        "queryables": (REGION,),
    }
    return build_query(**{**fields, **overrides})


def _field(call) -> str:
    with pytest.raises(InvalidInputError) as caught:
        call()
    assert caught.value.message and caught.value.message_fr
    return str(caught.value.field)


def test_limit_defaults_to_100_and_is_clamped_to_the_maximum():
    assert clamp_limit(None) == 100
    assert clamp_limit(250) == 250
    assert clamp_limit(MAX_LIMIT + 1) == clamp_limit(10**12) == 10_000
    assert _field(lambda: clamp_limit(0)) == "limit"


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2018-01-01", Period(date(2018, 1, 1), date(2018, 1, 1))),
        ("2018-01-01T12:00:00+01:00", Period(date(2018, 1, 1), date(2018, 1, 1))),
        ("2018-06-30T22:30:00Z", Period(date(2018, 7, 1), date(2018, 7, 1))),
        ("2018-01-01/2019-12-31", Period(date(2018, 1, 1), date(2019, 12, 31))),
        ("2018-01-01/..", Period(date(2018, 1, 1), None)),
        ("../2018-01-01", Period(None, date(2018, 1, 1))),
        ("/2018-01-01", Period(None, date(2018, 1, 1))),
    ],
)
def test_datetime_instants_and_intervals(text: str, period: Period):
    assert parse_datetime(text) == period


@pytest.mark.parametrize(
    "text", ["", "2018", "2018-13-01", "../..", "2019-01-01/2018-01-01", "now"]
)
def test_bad_datetimes_name_the_parameter(text: str):
    assert _field(lambda: parse_datetime(text)) == "datetime"


def test_periods_meet_when_they_share_a_day():
    span = Period(date(2018, 1, 1), date(2018, 12, 31))
    assert span.meets(date(2012, 5, 24), date(2018, 1, 1))
    assert not span.meets(date(2012, 5, 24), date(2017, 12, 31))
    assert span.meets(date(2018, 12, 31), None)
    assert Period(None, date(2000, 1, 1)).meets(date(1999, 1, 1), None)


@pytest.mark.parametrize(
    "bbox",
    ["2,48,3", "a,b,c,d", "2,48,3,49,5", "2,49,3,48", "2,95,3,96", "nan,1,2,3", "2,48,inf,49"],
)
def test_bad_bboxes_name_the_parameter(bbox: str):
    assert _field(lambda: _query(bbox=bbox)) == "bbox"


def test_filters_are_checked_against_the_collection():
    assert _query(filters={"region": "11"}).filters == {"region": "11"}
    assert _field(lambda: _query(filters={"region": "IDF"})) == "region"
    assert _field(lambda: _query(filters={"departement": "93"})) == "departement"
    assert _field(lambda: _query(offset=-1)) == "offset"

"""Layer data on a real database: zones in force by date and zoom, communes by box."""

from datetime import date

import pytest
import shapely
import sqlalchemy as sa
from shapely.geometry import shape

from cesp.errors import InvalidInputError
from cesp.maps.layers import (
    commune_collection,
    departement_collection,
    parse_bbox,
    region_collection,
    zone_collection,
)
from cesp.maps.shape_store import ShapeStore
from cesp.zones.decrees import Decree

TODAY = date.today()
NORTH_EAST_PARIS = (2.35, 48.88, 2.47, 48.95)


def _coordinates(collection: dict) -> int:
    return sum(shapely.get_num_coordinates(shape(f["geometry"])) for f in collection["features"])


def test_zones_in_force_carry_what_the_popup_shows(map_engine: sa.Engine, decree: Decree) -> None:
    with map_engine.connect() as conn:
        zones = zone_collection(conn, ShapeStore(), TODAY, "medecin", "11", zoom=9)
        before = zone_collection(conn, ShapeStore(), date(2011, 1, 1), "medecin", "11")
    names = sorted(f["properties"]["name"] for f in zones["features"])
    assert names == ["Bobigny", "Gennevilliers", "La Courneuve", "Pierrefitte", "ZUS 18ème"]
    props = zones["features"][0]["properties"]
    assert props["decree_reference"] == "12-209" and props["signed"] == "2012-05-24"
    assert props["category_label"] == "Zone déficitaire" and props["qualifies_for_cesp"] is True
    assert zones["decrees"] == [{"id": decree.id, "reference": "12-209", "region": "11"}]
    assert before["features"] == [], "no decree was in force in 2011"


def test_zones_are_lighter_at_low_zoom_and_exact_when_zoomed_in(
    map_engine: sa.Engine, decree: Decree
) -> None:
    cache = ShapeStore()
    with map_engine.connect() as conn:
        coarse = zone_collection(conn, cache, TODAY, "medecin", zoom=6)
        fine = zone_collection(conn, cache, TODAY, "medecin", zoom=14)
        stored = conn.execute(sa.text("SELECT count(*) FROM zones")).scalar_one()
        boxed = zone_collection(conn, cache, TODAY, "medecin", zoom=12, bbox=(2.2, 48.9, 2.3, 49.0))
    assert len(coarse["features"]) == len(fine["features"]) == stored
    assert _coordinates(coarse) < _coordinates(fine) / 3
    for feature in coarse["features"]:
        assert shape(feature["geometry"]).is_valid
    assert [f["properties"]["name"] for f in boxed["features"]] == ["Gennevilliers"]


def test_communes_by_box_are_named_and_refused_for_a_whole_country(map_engine: sa.Engine) -> None:
    with map_engine.connect() as conn:
        communes = commune_collection(conn, NORTH_EAST_PARIS, TODAY, zoom=12)
        with pytest.raises(InvalidInputError) as low:
            commune_collection(conn, NORTH_EAST_PARIS, TODAY, zoom=6)
        with pytest.raises(InvalidInputError) as wide:
            commune_collection(conn, (-5.0, 42.0, 8.0, 51.0), TODAY, zoom=12)
    names = {f["properties"]["name"] for f in communes["features"]}
    assert {"Bobigny", "La Courneuve", "Aubervilliers", "Paris"} <= names
    assert low.value.field == "zoom" and wide.value.field == "bbox"


def test_background_outlines(map_engine: sa.Engine) -> None:
    with map_engine.connect() as conn:
        departements = departement_collection(conn, ShapeStore(), 9, "11")
        region = region_collection(conn, "11", 9)
        unknown = region_collection(conn, "84", 9)
    assert sorted(f["properties"]["code"] for f in departements["features"]) == ["75", "92", "93"]
    assert region["features"][0]["properties"]["name"] == "Île-de-France"
    assert unknown["features"] == []


@pytest.mark.parametrize("value", ["1,2,3", "a,b,c,d", "3,48,2,49", "0,91,1,92"])
def test_bad_bbox_names_the_field(value: str) -> None:
    with pytest.raises(InvalidInputError) as error:
        parse_bbox(value)
    assert error.value.field == "bbox"

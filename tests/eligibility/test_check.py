"""One site, one date, one profession: is it in a qualifying zone, and under which decree?"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import shapely
import sqlalchemy as sa

from cesp.eligibility.check import EligibilityResult, check, check_points
from cesp.eligibility.index import build_index
from cesp.eligibility.sites import Site, make_site
from cesp.eligibility.wording import explain_fr
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.errors import CespError, InvalidInputError
from cesp.geo.communes import resolve_code
from cesp.geo.crs import LAMBERT93, WGS84, transformer
from cesp.zones.importer import import_decree
from tests.zones.helpers import (
    REFERENCE_2012,
    REFERENCE_2018,
    across_boundary,
    publish_codes,
    request,
    site_at,
    zone_metric,
)

IN_2013 = date(2013, 1, 1)
IN_2026 = date(2026, 1, 1)
BOBIGNY = make_site(lon=2.4397, lat=48.9086)


def _check(engine: sa.Engine, site: Site, on: date, profession: str = "medecin"):
    with engine.connect() as conn:
        return check(build_index(engine), conn, site, on, profession)


def _inside(engine: sa.Engine, code: str, on: date) -> Site:
    """A point well inside the polygon that ``code`` designated on ``on``."""
    with engine.connect() as conn:
        polygon = resolve_code(conn, code, on, with_geometry=True).unit.geometry
    point = polygon.representative_point()
    return make_site(lon=point.x, lat=point.y)


def _references(result: EligibilityResult) -> list[str]:
    return [d.reference for d in result.decrees]


@pytest.fixture
def index_2012(idf_engine: sa.Engine, decree_2012) -> ZoningIndex:
    return build_index(idf_engine)


def test_every_vertex_of_a_zone_is_borderline_and_in_the_zone(idf_engine, index_2012):
    """The boundary belongs to the zone (intersects): on it, eligible but borderline."""
    with idf_engine.connect() as conn:
        polygon = resolve_code(conn, "93008", IN_2013, with_geometry=True).unit.geometry
        for lon, lat in shapely.get_coordinates(polygon)[:-1]:
            result = check(index_2012, conn, make_site(lon=lon, lat=lat), IN_2013)
            assert (result.status, result.eligible) == ("borderline", True), (lon, lat)
            assert "Bobigny" in [z.name for z in result.zones if z.qualifies]
            assert result.distance_m is None


def test_20_m_either_side_is_borderline_200_m_is_decided(idf_engine, index_2012):
    with idf_engine.connect() as conn:
        zone = zone_metric(conn, "Bobigny")
        others = shapely.union_all([zone_metric(conn, n) for n in ("La Courneuve", "ZUS 18ème")])
        middle, out = across_boundary(zone, others)

        def at(offset: float) -> EligibilityResult:
            x, y = middle + offset * out
            return check(index_2012, conn, site_at(x, y), IN_2013)

        inside_20, outside_20, inside_200, outside_200 = at(-20), at(20), at(-200), at(200)
    assert (inside_20.status, inside_20.eligible) == ("borderline", True)
    assert (outside_20.status, outside_20.eligible) == ("borderline", False)
    assert outside_20.nearest is not None and outside_20.nearest.name == "Bobigny"
    assert outside_20.distance_m == pytest.approx(20, abs=1)

    assert (inside_200.status, inside_200.eligible) == ("eligible", True)
    assert [z.name for z in inside_200.zones] == ["Bobigny"]
    assert _references(inside_200) == [REFERENCE_2012]

    assert (outside_200.status, outside_200.eligible) == ("not_eligible", False)
    assert outside_200.zones == ()
    assert outside_200.distance_m == pytest.approx(200, abs=1)
    assert outside_200.nearest is not None and outside_200.nearest.name == "Bobigny"
    assert outside_200.nearest.decree.reference == REFERENCE_2012


def test_commune_merged_after_the_decree_stays_zoned(idf_engine, decree_2012):
    """Pierrefitte-sur-Seine (93059, in the 2012 decree) merged into Saint-Denis (93066)
    on 2025-01-01: its old territory stays zoned while the decree is in force."""
    pierrefitte = _inside(idf_engine, "93059", IN_2013)
    old_saint_denis = _inside(idf_engine, "93066", IN_2013)
    index = build_index(idf_engine)
    with idf_engine.connect() as conn:
        before = check(index, conn, pierrefitte, IN_2013)
        after = check(index, conn, pierrefitte, IN_2026)
        outside = [check(index, conn, old_saint_denis, on) for on in (IN_2013, IN_2026)]

    assert (before.status, before.eligible) == ("eligible", True)
    assert before.commune is not None
    assert (before.commune.code, before.commune.name) == ("93059", "Pierrefitte-sur-Seine")

    assert (after.status, after.eligible) == ("eligible", True)
    assert after.commune is not None
    assert (after.commune.code, after.commune.name) == ("93066", "Saint-Denis")
    assert [z.name for z in after.zones] == ["Pierrefitte"]
    assert _references(after) == [REFERENCE_2012]

    for result in outside:
        assert (result.status, result.eligible) == ("not_eligible", False)
        assert result.commune is not None and result.commune.code == "93066"


def test_the_decree_in_force_on_the_date_decides(idf_engine, decree_2012, decree_2018):
    """12-209 is superseded on 2018-01-01 by 17-1000, which drops Bobigny and adds the
    west half of Drancy (ZAC) and its east half as a vigilance zone (ZV)."""
    drancy_west = make_site(lon=2.425, lat=48.925)
    drancy_east = make_site(lon=2.460, lat=48.928)
    index = build_index(idf_engine)
    with idf_engine.connect() as conn:
        day_before = [check(index, conn, s, date(2017, 12, 31)) for s in (BOBIGNY, drancy_west)]
        first_day = [check(index, conn, s, date(2018, 1, 1)) for s in (BOBIGNY, drancy_west)]
        vigilance = check(index, conn, drancy_east, date(2018, 1, 1))

    assert [(r.status, _references(r)) for r in day_before] == [
        ("eligible", [REFERENCE_2012]),
        ("not_eligible", [REFERENCE_2012]),
    ]
    assert [(r.status, _references(r)) for r in first_day] == [
        ("not_eligible", [REFERENCE_2018]),
        ("eligible", [REFERENCE_2018]),
    ]
    assert first_day[0].nearest is not None and first_day[0].nearest.name == "Drancy ouest"
    zone = first_day[1].zones[0]
    assert (zone.name, zone.category, zone.qualifies) == ("Drancy ouest", "ZAC", True)

    # A zone whose category does not open the CESP is reported but does not qualify.
    assert (vigilance.status, vigilance.eligible) == ("not_eligible", False)
    assert [(z.name, z.category, z.qualifies) for z in vigilance.zones] == [
        ("Drancy est", "ZV", False)
    ]
    assert vigilance.nearest is not None and vigilance.nearest.qualifies


def test_no_decree_yet_is_no_zoning_and_the_sea_is_outside(idf_engine, index_2012):
    with idf_engine.connect() as conn:
        early = check(index_2012, conn, BOBIGNY, date(2011, 1, 1))
        sea = check(index_2012, conn, make_site(lon=-5.0, lat=46.0), IN_2013)
        dentist = check(index_2012, conn, BOBIGNY, IN_2013, "chirurgien-dentiste")
    assert (early.status, early.eligible, early.decrees) == ("no_zoning", False, ())
    assert early.commune is not None and early.commune.name == "Bobigny"
    assert (sea.status, sea.eligible, sea.commune) == ("outside_territory", False, None)
    # No zoning for dentists, and on 01/01/2013 no dental CESP yet (décret n°2013-735,
    # from 16/08/2013): the answer says so rather than blaming a missing decree.
    assert (dentist.status, dentist.eligible) == ("no_zoning", False)
    assert "chirurgiens-dentistes qu'à partir du 16/08/2013" in explain_fr(dentist)
    with idf_engine.connect() as conn:
        later = check(index_2012, conn, BOBIGNY, date(2014, 1, 1), "chirurgien-dentiste")
    assert "Aucun arrêté de zonage en vigueur au 01/01/2014" in explain_fr(later)


def test_the_last_representable_day_still_has_its_communes(idf_engine, index_2012):
    with idf_engine.connect() as conn:
        last = check(index_2012, conn, BOBIGNY, date.max)
    assert (last.status, last.eligible) == ("eligible", True)
    assert last.commune is not None and last.commune.name == "Bobigny"


def test_before_decree_2026_4_a_midwife_is_told_no_cesp_existed(idf_engine, index_2012):
    with idf_engine.connect() as conn:
        midwife = check(index_2012, conn, BOBIGNY, IN_2013, "sage-femme")
        pharmacist = check(index_2012, conn, BOBIGNY, date(2026, 1, 15), "pharmacien")
        opened = check(index_2012, conn, BOBIGNY, date(2026, 1, 16), "pharmacien")
    assert (midwife.status, midwife.eligible) == ("no_zoning", False)
    assert explain_fr(midwife) == (
        "Le CESP n'est ouvert aux sages-femmes qu'à partir du 16/01/2026 (décret n°2026-4). "
        "Aucun zonage ne s'applique au 01/01/2013."
    )
    assert "aux pharmaciens qu'à partir du 16/01/2026" in explain_fr(pharmacist)
    assert "décret n°2026-4" not in explain_fr(opened), "open from that day"


def test_region_without_decree_is_no_zoning(two_regions_engine, tmp_path: Path):
    publish_codes(two_regions_engine, tmp_path / "12-209.csv")
    lyon = make_site(lon=4.8357, lat=45.7640)
    index = build_index(two_regions_engine)
    with two_regions_engine.connect() as conn:
        in_lyon = check(index, conn, lyon, IN_2013)
        in_bobigny = check(index, conn, BOBIGNY, IN_2013)
        lyon_by_code = check(index, conn, make_site(insee="69123"), IN_2013)
    assert (in_lyon.status, in_lyon.eligible) == ("no_zoning", False)
    assert in_lyon.commune is not None and in_lyon.commune.region == "84"
    assert in_lyon.commune.code == "69123"
    assert lyon_by_code.status == "no_zoning"
    assert in_bobigny.status == "eligible"


def test_borderline_sentence_states_the_configured_band(idf_engine, decree_2012):
    index = build_index(idf_engine, borderline_m=100)
    with idf_engine.connect() as conn:
        middle, out = across_boundary(zone_metric(conn, "Bobigny"))
        result = check(index, conn, site_at(*(middle + 80 * out)), IN_2013)
    assert (result.status, result.eligible) == ("borderline", False)
    assert result.distance_m == pytest.approx(80, abs=1)
    assert "50 m" not in explain_fr(result)


@pytest.mark.parametrize(
    "lon, lat",
    [(2.4397, 48.9086), (2.3522, 48.8566), (2.3440, 48.8925), (2.4600, 48.9200)],
)
def test_lambert93_gives_the_lonlat_answer(idf_engine, index_2012, lon: float, lat: float):
    x, y = transformer(WGS84, LAMBERT93).transform(lon, lat)
    with idf_engine.connect() as conn:
        by_degrees = check(index_2012, conn, make_site(lon=lon, lat=lat), IN_2013)
        by_metres = check(index_2012, conn, make_site(x=x, y=y), IN_2013)
    assert by_metres.status == by_degrees.status
    assert by_metres.eligible == by_degrees.eligible
    assert by_metres.commune == by_degrees.commune
    assert by_metres.arrondissement == by_degrees.arrondissement
    assert [z.zone_id for z in by_metres.zones] == [z.zone_id for z in by_degrees.zones]
    if by_degrees.distance_m is None:
        assert by_metres.distance_m is None
    else:
        assert by_metres.distance_m == pytest.approx(by_degrees.distance_m, abs=0.1)


@pytest.mark.parametrize(
    "coordinates, field, hint",
    [
        ({"x": 10_000.0, "y": 6_870_000.0}, "x", ""),
        ({"x": 660_000.0, "y": 100.0}, "y", ""),
        ({"x": 6_870_000.0, "y": 660_000.0}, "x", "swapped"),
        ({"x": 660_000.0}, "y", "missing"),
        ({"y": 6_870_000.0}, "x", "missing"),
        ({"lon": 2.4, "lat": 48.9, "x": 660_000.0, "y": 6_870_000.0}, "lon", "exactly one"),
        ({"lon": 2.4}, "lat", "missing"),
        ({"lon": 200.0, "lat": 48.9}, "lon", "outside"),
        ({}, "lon", "exactly one"),
    ],
)
def test_bad_coordinates_name_the_field(coordinates: dict, field: str, hint: str):
    with pytest.raises(InvalidInputError) as caught:
        make_site(**coordinates)
    assert caught.value.field == field
    assert hint in caught.value.message


def test_insee_code_coverage(idf_engine, decree_2012, decree_2018):
    index = build_index(idf_engine)
    with idf_engine.connect() as conn:
        courneuve = check(index, conn, make_site(insee="93027"), IN_2013)
        drancy = check(index, conn, make_site(insee="93029"), date(2018, 6, 1))
        montreuil = check(index, conn, make_site(insee="93048"), IN_2013)
        with pytest.raises(InvalidInputError) as merged:
            check(index, conn, make_site(insee="93059"), IN_2026)

    assert (courneuve.status, courneuve.eligible, courneuve.coverage) == ("eligible", True, 1.0)
    assert [z.name for z in courneuve.zones] == ["La Courneuve"]

    # Drawn zone over half the commune; the other half is a ZV, which does not count.
    assert (drancy.status, drancy.eligible) == ("partial", False)
    assert drancy.coverage is not None and 0.3 < drancy.coverage < 0.7
    assert {z.name for z in drancy.zones} == {"Drancy ouest", "Drancy est"}

    assert (montreuil.status, montreuil.eligible, montreuil.coverage) == (
        "not_eligible",
        False,
        0.0,
    )
    assert montreuil.nearest is not None and montreuil.nearest.decree.reference == "12-209"
    assert montreuil.distance_m is not None and montreuil.distance_m > 0

    assert merged.value.field == "insee"
    assert "93066" in merged.value.message


def test_unknown_insee_code_names_the_insee_field(idf_engine, index_2012):
    with idf_engine.connect() as conn, pytest.raises(CespError) as caught:
        check(index_2012, conn, make_site(insee="93999"), IN_2013)
    assert caught.value.field == "insee"


def test_a_draft_decree_does_not_count(idf_engine, decree_2012, tmp_path: Path):
    path = tmp_path / "draft.csv"
    path.write_text("code_insee;nom_zone;categorie\n93029;Drancy;ZIP\n")
    draft = request(reference="17-2", signed=date(2017, 12, 15), effective_from=date(2018, 1, 1))
    assert import_decree(idf_engine, path, draft, actor="test").status == "imported"
    result = _check(idf_engine, make_site(lon=2.425, lat=48.925), date(2019, 1, 1))
    assert (result.status, result.eligible) == ("not_eligible", False)
    assert _references(result) == [REFERENCE_2012]


def test_without_any_published_decree_the_answer_is_no_zoning(idf_engine):
    """A fresh deployment: communes loaded, no decree yet."""
    index = build_index(idf_engine)
    result = check(index, None, BOBIGNY, IN_2013)
    assert (result.status, result.eligible) == ("no_zoning", False)
    assert result.commune is not None and result.commune.code == "93008"
    many = check_points(index, [BOBIGNY] * 600, [IN_2013] * 600, ["medecin"] * 600)
    assert {r.status for r in many} == {"no_zoning"}


def test_unknown_profession_is_refused(idf_engine, index_2012):
    with idf_engine.connect() as conn, pytest.raises(InvalidInputError) as caught:
        check(index_2012, conn, BOBIGNY, IN_2013, "plombier")
    assert caught.value.field == "profession"

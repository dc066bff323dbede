"""Inside a QPV zoned apart from its territory, the QPV's category decides.

The DREES national file (``tests/zones/published_layouts.py``) zones Antony « Hors
vivier » with its QPV Noyer Doré ZIP, and Bobigny ZAC with its QPV Abreuvoir « Zone de
vigilance »; the QPV contours are the hand-drawn ones of ``tests/geo/qpv_contours.py``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from cesp.eligibility.check import EligibilityResult, check
from cesp.eligibility.index import build_index
from cesp.eligibility.sites import CommuneSite, make_site
from cesp.eligibility.wording import explain_fr
from cesp.eligibility.zoning_index import ZoningIndex
from cesp.errors import ValidationFailedError
from cesp.geo.communes import resolve_code
from cesp.geo.qpv import qpv_by_codes
from cesp.zones.importer import import_decree
from tests.geo.qpv_contours import load_contours
from tests.zones.helpers import request
from tests.zones.published_layouts import drees_national

ON = date(2018, 6, 1)
SIGNED = date(2018, 3, 1)


@pytest.fixture
def index(idf_engine: sa.Engine, tmp_path: Path) -> ZoningIndex:
    load_contours(idf_engine, tmp_path)
    path, _ = drees_national(tmp_path)
    fields = {"signed": SIGNED, "effective_from": SIGNED, "reference": "18-DREES"}
    report = import_decree(idf_engine, path, request(publish=True, **fields), actor="test")
    assert report.status == "published" and report.qpv_zones == 3
    return build_index(idf_engine)


def _at(engine: sa.Engine, index: ZoningIndex, where: str, qpv: str) -> EligibilityResult:
    """Check a point inside the QPV (``where="inside"``) or in its commune outside it."""
    with engine.connect() as conn:
        contour = qpv_by_codes(conn, [qpv])[qpv]
        commune = resolve_code(conn, contour.communes[0], ON, with_geometry=True).unit.geometry
        area = (
            contour.geometry
            if where == "inside"
            else commune.difference(contour.geometry.buffer(0.003))
        )
        point = area.representative_point()
        return check(index, conn, make_site(lon=point.x, lat=point.y), ON, "medecin")


def _by_code(engine: sa.Engine, index: ZoningIndex, code: str) -> EligibilityResult:
    with engine.connect() as conn:
        return check(index, conn, CommuneSite(code), ON, "medecin")


def test_a_site_in_a_zip_qpv_of_a_hors_vivier_territory_qualifies(idf_engine, index):
    result = _at(idf_engine, index, "inside", "QP092001")
    assert result.status == "eligible" and result.eligible
    assert [z.name for z in result.zones] == ["QPV Noyer Doré (QP092001)"]
    assert result.zones[0].overrides and result.zones[0].category == "ZIP"


def test_a_site_elsewhere_in_that_commune_does_not(idf_engine, index):
    result = _at(idf_engine, index, "outside", "QP092001")
    assert result.status == "not_eligible" and not result.eligible
    assert result.commune is not None and result.commune.code == "92002"


def test_the_commune_by_code_is_partial_and_says_which_part(idf_engine, index):
    result = _by_code(idf_engine, index, "92002")
    assert result.status == "partial"
    assert result.coverage is not None and 0 < result.coverage < 0.2
    text = explain_fr(result)
    assert "Seul le quartier prioritaire « QPV Noyer Doré (QP092001) »" in text, text


def test_a_vigilance_qpv_overrides_its_zac_territory(idf_engine, index):
    inside = _at(idf_engine, index, "inside", "QP093020")
    assert inside.status == "not_eligible" and not inside.eligible
    assert [z.category for z in inside.zones] == ["ZV"]
    outside = _at(idf_engine, index, "outside", "QP093020")
    assert outside.status == "eligible" and outside.zones[0].category == "ZAC"
    bobigny = _by_code(idf_engine, index, "93008")
    assert bobigny.status == "partial" and (bobigny.coverage or 0) > 0.8
    assert "Abreuvoir (QP093020) » (Zone de vigilance) n'ouvre pas le CESP" in explain_fr(bobigny)


def test_a_qpv_of_a_zip_territory_changes_nothing(idf_engine, index):
    assert _at(idf_engine, index, "inside", "QP093010").status == "eligible"
    assert _by_code(idf_engine, index, "93027").status == "eligible"


def test_a_qpv_code_without_loaded_contours_says_how_to_load_them(idf_engine, tmp_path: Path):
    path, _ = drees_national(tmp_path)
    fields = {"signed": SIGNED, "effective_from": SIGNED, "reference": "18-DREES"}
    with pytest.raises(ValidationFailedError) as caught:
        import_decree(idf_engine, path, request(dry_run=True, **fields), actor="test")
    problems = [p for p in caught.value.problems if "QP092001" in p.message]
    assert problems, caught.value.problems
    assert "feuille « Zonage_QPV »" in problems[0].message_fr
    assert "cesp geo load-qpv" in problems[0].message_fr
    assert "cesp geo load-qpv" in problems[0].message

"""A complementary decree (a separate QPV decree, as ARS PACA publishes) amends the
principal decree of its region and profession and stays in force with it; it ends when
the principal is superseded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from cesp.eligibility.check import check
from cesp.eligibility.index import build_index
from cesp.eligibility.sites import make_site
from cesp.errors import InvalidInputError
from cesp.geo.qpv import qpv_by_codes
from cesp.maps.layers import zone_collection
from cesp.maps.shape_store import ShapeStore
from cesp.zones.decrees import Decree, decrees_in_force, get_decree
from cesp.zones.importer import import_decree
from tests.geo.qpv_contours import load_contours
from tests.zones.helpers import request
from tests.zones.published_layouts import paps_csv_cp1252, qpv_decree

PRINCIPAL_FROM = date(2018, 3, 1)
QPV_FROM = date(2018, 9, 1)
ON = date(2019, 1, 1)


def _principal(engine: sa.Engine, directory: Path) -> Decree:
    """The list of eligible communes (no QPV): Antony « Hors vivier »."""
    path, _ = paps_csv_cp1252(directory)
    fields = {"signed": PRINCIPAL_FROM, "effective_from": PRINCIPAL_FROM, "reference": "18-100"}
    report = import_decree(engine, path, request(publish=True, **fields), actor="test")
    assert report.decree is not None
    return report.decree


def _qpv_request(**overrides: object):
    fields = {"signed": QPV_FROM, "effective_from": QPV_FROM, "reference": "18-QPV"}
    return request(complementary=True, **{**fields, **overrides})


@pytest.fixture
def principal(idf_engine: sa.Engine, tmp_path: Path) -> Decree:
    load_contours(idf_engine, tmp_path)
    return _principal(idf_engine, tmp_path)


def test_the_preview_shows_the_principal_it_amends(idf_engine, principal, tmp_path: Path):
    path, expected = qpv_decree(tmp_path)
    preview = import_decree(idf_engine, path, _qpv_request(dry_run=True), actor="test")
    assert preview.complements is not None and preview.complements.id == principal.id
    assert preview.qpv_zones == expected.qpv == 3 and preview.skipped_by_region == 1
    assert preview.diff is not None and preview.diff.leaving == []  # it only adds
    assert [c.code for c in preview.diff.entering] == ["92002"]
    assert all(z.priority == 1 for z in preview.zones)


def test_principal_and_complementary_are_in_force_together(idf_engine, principal, tmp_path: Path):
    path, _ = qpv_decree(tmp_path)
    report = import_decree(idf_engine, path, _qpv_request(publish=True), actor="test")
    assert report.status == "published" and report.superseded == []
    assert report.decree is not None and report.decree.complements == principal.id
    with idf_engine.connect() as conn:
        in_force = decrees_in_force(conn, ON, "medecin", "11")
        assert [d.reference for d in in_force] == ["18-100", "18-QPV"]
        assert get_decree(conn, principal.id).status == "published"
        antony_qpv = qpv_by_codes(conn, ["QP092001"])["QP092001"].geometry.centroid
    index = build_index(idf_engine)
    with idf_engine.connect() as conn:
        in_qpv = check(index, conn, make_site(lon=antony_qpv.x, lat=antony_qpv.y), ON)
        courneuve = check(index, conn, make_site(lon=2.3960, lat=48.9270), ON)
        before = check(index, conn, make_site(lon=antony_qpv.x, lat=antony_qpv.y), PRINCIPAL_FROM)
    assert in_qpv.eligible and [d.reference for d in in_qpv.decrees] == ["18-QPV"]
    assert courneuve.commune is not None and courneuve.commune.code == "93027"
    assert courneuve.eligible and "18-100" in [d.reference for d in courneuve.decrees]
    assert not before.eligible  # before the QPV decree took effect


def test_a_new_principal_decree_ends_the_complementary_one(idf_engine, principal, tmp_path: Path):
    path, _ = qpv_decree(tmp_path)
    import_decree(idf_engine, path, _qpv_request(publish=True), actor="test")
    later = tmp_path / "later"
    later.mkdir()
    path, _ = paps_csv_cp1252(later)
    fields = {"signed": date(2020, 1, 1), "effective_from": date(2020, 1, 1), "reference": "20-1"}
    preview = import_decree(idf_engine, path, request(dry_run=True, **fields), actor="test")
    assert preview.compared_with is not None and preview.compared_with.id == principal.id
    assert [d.reference for d in preview.in_force_with] == ["18-QPV"]
    assert preview.diff is not None and [c.code for c in preview.diff.leaving] == ["92002"]
    report = import_decree(idf_engine, path, request(publish=True, **fields), actor="test")
    closed = {d.reference: d for d in report.superseded}
    assert set(closed) == {"18-100", "18-QPV"}
    assert closed["18-QPV"].effective_to == date(2019, 12, 31)
    assert closed["18-QPV"].status == "superseded"


def test_a_complementary_decree_needs_a_principal_in_force(idf_engine, tmp_path: Path):
    load_contours(idf_engine, tmp_path)
    path, _ = qpv_decree(tmp_path)
    with pytest.raises(InvalidInputError) as caught:
        import_decree(idf_engine, path, _qpv_request(dry_run=True), actor="test")
    assert caught.value.field == "complementary"
    assert "Aucun arrêté principal" in caught.value.message_fr


def test_the_map_shows_both_decrees(idf_engine, principal, tmp_path: Path):
    path, _ = qpv_decree(tmp_path)
    import_decree(idf_engine, path, _qpv_request(publish=True), actor="test")
    with idf_engine.connect() as conn:
        layer = zone_collection(conn, ShapeStore(), ON, "medecin", "11", zoom=12)
    assert [d["reference"] for d in layer["decrees"]] == ["18-100", "18-QPV"]
    names = [f["properties"]["name"] for f in layer["features"]]
    assert "QPV Noyer Doré (QP092001)" in names and "La Courneuve" in names
    assert len(names) == len(set(names))


def test_a_new_principal_can_keep_the_complementary_decree_in_force(
    idf_engine, principal, tmp_path: Path
):
    path, _ = qpv_decree(tmp_path)
    qpv = import_decree(idf_engine, path, _qpv_request(publish=True), actor="test").decree
    later = tmp_path / "later"
    later.mkdir()
    path, _ = paps_csv_cp1252(later)
    fields = {"signed": date(2020, 1, 1), "effective_from": date(2020, 1, 1), "reference": "20-1"}
    report = import_decree(
        idf_engine, path, request(publish=True, keep_complementary=True, **fields), actor="test"
    )
    assert [d.reference for d in report.superseded] == ["18-100"]
    assert report.decree is not None and qpv is not None
    with idf_engine.connect() as conn:
        kept = get_decree(conn, qpv.id)
        in_force = decrees_in_force(conn, date(2021, 1, 1), "medecin", "11")
        audit = conn.execute(
            sa.text("SELECT summary FROM audit_log WHERE action = 'decree.reattach'")
        ).scalar_one()
    assert kept.status == "published" and kept.complements == report.decree.id
    assert [d.reference for d in in_force] == ["18-QPV", "20-1"]
    assert "now amends decree 20-1" in audit

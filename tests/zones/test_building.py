"""Zone building: codes resolved at the signed date, geometries repaired, populations."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import shapely
import sqlalchemy as sa
from shapely.geometry import Polygon, box

from cesp.zones.importer import import_decree
from tests.zones.helpers import commune, request, write_geojson

SSD = "93-seine-saint-denis.geojson"


def _codes(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "codes.csv"
    path.write_text(text)
    return path


def test_self_intersecting_polygon_is_repaired(idf_engine, data_dir: Path, tmp_path: Path):
    x, y = commune(data_dir, SSD, "93027").representative_point().coords[0]
    h = 0.002
    bowtie = Polygon([(x - h, y - h), (x + h, y + h), (x + h, y - h), (x - h, y + h)])
    assert not bowtie.is_valid
    path = write_geojson(tmp_path / "bowtie.geojson", [bowtie], ["Noeud"])
    report = import_decree(idf_engine, path, request(), actor="test")
    assert any("réparées" in note and "lignes 1" in note for note in report.notes)
    with idf_engine.connect() as conn:
        wkb, notes = conn.execute(
            sa.text(
                "SELECT ST_AsBinary(z.geom), d.notes FROM zones z "
                "JOIN decrees d ON d.id = z.decree_id"
            )
        ).one()
    stored = shapely.from_wkb(bytes(wkb))
    assert stored.is_valid and stored.geom_type == "MultiPolygon" and len(stored.geoms) == 2
    assert stored.area == pytest.approx(2 * h * h, rel=1e-3)
    assert "réparées" in notes


def test_codes_are_read_at_the_effective_date_and_a_merged_code_follows_its_successor(
    idf_engine, tmp_path: Path
):
    path = _codes(tmp_path, "code_insee;nom_zone\n93059;Pierrefitte\n")
    report = import_decree(idf_engine, path, request(), actor="test")
    assert report.status == "imported"
    assert [(z.name, z.communes) for z in report.zones] == [("Pierrefitte", 1)]
    with idf_engine.connect() as conn:
        name = conn.execute(sa.text("SELECT commune_name FROM zone_communes")).scalar_one()
    assert name == "Pierrefitte-sur-Seine"

    # Pierrefitte-sur-Seine (93059) merged into Saint-Denis (93066) on 2025-01-01: a
    # decree in force after that names the larger Saint-Denis, covered in part.
    in_2025 = request(
        reference="25-001",
        signed=date(2025, 6, 1),
        effective_from=date(2025, 6, 1),
        category="ZIP",
        dry_run=True,
    )
    report = import_decree(idf_engine, path, in_2025, actor="test")
    ((_zone, commune),) = [(z, c) for z in report.draft_zones for c in z.communes]
    assert commune.code == "93066" and 0 < commune.coverage < 1
    (note,) = [n for n in report.notes if "fusionné" in n]
    assert "93059" in note and "93066" in note and "en partie" in note


def test_small_drawn_zone_does_not_count_the_whole_commune(
    idf_engine, data_dir: Path, tmp_path: Path
):
    x, y = commune(data_dir, SSD, "93027").representative_point().coords[0]
    small = box(x - 0.001, y - 0.001, x + 0.001, y + 0.001)  # < 1 % of La Courneuve
    path = write_geojson(tmp_path / "small.geojson", [small], ["Îlot"])
    report = import_decree(idf_engine, path, request(), actor="test")
    with idf_engine.connect() as conn:
        coverage = conn.execute(sa.text("SELECT coverage FROM zone_communes")).scalar_one()
    assert coverage < 0.01
    # Weighted by the share of La Courneuve's area in the zone, not the whole commune.
    assert report.zones[0].population == round(47167 * coverage)

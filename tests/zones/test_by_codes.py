"""A file of codes naming a commune and the former commune merged into it: one commune
of its zone, not « listed twice » (a territory's list names every commune it had)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from cesp.errors import ValidationFailedError
from cesp.zones import tables as zoning
from tests.zones.helpers import EMPTY, counts, import_codes

# Pierrefitte-sur-Seine (93059) merged into Saint-Denis (93066) on 2025-01-01.
AFTER_MERGER = {
    "reference": "IDF-2025",
    "signed": date(2025, 2, 1),
    "effective_from": date(2025, 3, 1),
}


def test_a_commune_and_its_former_part_in_one_zone_make_one_member(
    idf_engine: sa.Engine, tmp_path: Path
):
    text = "code_insee;nom_zone;categorie\n93059;Nord;ZIP\n93066;Nord;ZIP\n93027;Nord;ZIP\n"
    report = import_codes(idf_engine, tmp_path / "nord.csv", text, **AFTER_MERGER)
    assert report.status == "imported", report
    assert report.rows_kept == 3
    assert any("réunies" in note and "93066" in note for note in report.notes)
    with idf_engine.connect() as conn:
        members = dict(
            conn.execute(
                sa.select(zoning.zone_communes.c.commune_code, zoning.zone_communes.c.coverage)
            )
            .tuples()
            .all()
        )
        rows = conn.execute(sa.select(zoning.zones.c.source_rows)).scalar_one()
    assert members == {"93066": 1.0, "93027": 1.0}, "Saint-Denis whole, once"
    assert sorted(int(r) for r in rows.split(",")) == [2, 3, 4]


def test_a_commune_put_in_two_zones_through_its_former_part_is_refused_saying_why(
    idf_engine: sa.Engine, tmp_path: Path
):
    text = "code_insee;nom_zone;categorie\n93059;Nord;ZIP\n93066;Sud;ZAC\n"
    with pytest.raises(ValidationFailedError) as caught:
        import_codes(idf_engine, tmp_path / "two.csv", text, **AFTER_MERGER)
    (problem,) = caught.value.problems
    assert problem.row == 3
    assert "zones « Nord » et « Sud »" in problem.message_fr
    assert "la ligne 2 nomme 93059, qui y a fusionné" in problem.message_fr
    assert counts(idf_engine) == EMPTY

"""Communes entering and leaving compared on the ground, across a merger of communes.

Decree 12-209 (2012) names Pierrefitte-sur-Seine (93059); Saint-Denis and Pierrefitte
became the new Saint-Denis (93066) on 2025-01-01. A draft of 2027 naming Saint-Denis
brings in former Saint-Denis only: Pierrefitte stays in zone, it does not leave.
"""

from datetime import date
from pathlib import Path

import sqlalchemy as sa

from cesp.maps.preview import preview_decree
from cesp.zones.decrees import Decree
from tests.zones.helpers import import_codes

DRAFT_2027 = "code_insee;nom_zone;categorie\n93008;Bobigny;ZIP\n93066;Saint-Denis;ZIP\n"


def test_a_merger_is_not_a_change(idf_engine: sa.Engine, decree_2012: Decree, tmp_path: Path):
    report = import_codes(
        idf_engine,
        tmp_path / "draft.csv",
        DRAFT_2027,
        reference="27-001",
        signed=date(2026, 11, 2),
        effective_from=date(2027, 1, 1),
    )
    assert report.decree is not None and report.decree.status == "draft"
    with idf_engine.connect() as conn:
        preview = preview_decree(conn, report.decree.id)
    entering = preview.communes_entering
    assert [(c.code, c.name) for c in entering] == [("93066", "Saint-Denis")]
    assert entering[0].population is None  # former Saint-Denis: no census figure
    assert "ancienne commune (jusqu'au 31/12/2024)" in entering[0].label
    assert "partie de Saint-Denis (93066) au 01/01/2027" in entering[0].label
    leaving = [c.code for c in preview.communes_leaving]
    assert "93059" not in leaving, "Pierrefitte is in new Saint-Denis: it stays in zone"
    assert leaving == ["75118", "92036", "93027"]
    assert preview.communes_kept == 2  # Bobigny, and Saint-Denis in part (former Pierrefitte)
    summary = preview.summary()
    assert summary["population_entering"] == 0 and summary["unknown_entering"] == [
        entering[0].label
    ]
    assert summary["unknown_leaving"] == []
    assert summary["population_leaving"] == sum(c.population or 0 for c in preview.communes_leaving)

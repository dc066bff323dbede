"""Midwives' and pharmacists' zonings as the ministry's Zonage_ARS tool writes them: the
five levels, in the masculine (« Très sous-doté », « Sur-doté »); only the two lowest
open the CESP (décret n°2026-4)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from cesp.zones import tables as zoning
from tests.zones.helpers import import_codes

LEVELS = (
    ("93008", "Très sous-doté", True),
    ("93027", "Sous-doté", True),
    ("93048", "Intermédiaire", False),
    ("92036", "Très doté", False),
    ("93029", "Sur-doté", False),
)


@pytest.mark.parametrize("profession", ["sage-femme", "pharmacien"])
def test_the_five_levels_in_the_masculine_are_read_and_two_open_the_cesp(
    idf_engine: sa.Engine, tmp_path: Path, profession: str
):
    text = "Code commune;Zonage\n" + "".join(f"{c};{label}\n" for c, label, _ in LEVELS)
    report = import_codes(
        idf_engine,
        tmp_path / "zonage.csv",
        text,
        profession=profession,
        reference=f"SF-{profession}",
        signed=date(2026, 2, 1),
        effective_from=date(2026, 3, 1),
    )
    assert report.status == "imported", report
    z, zc = zoning.zones, zoning.zone_communes
    with idf_engine.connect() as conn:
        rows = conn.execute(
            sa.select(zc.c.commune_code, z.c.category).join(z, z.c.id == zc.c.zone_id)
        ).all()
        opening = {
            r.code: r.qualifies_for_cesp
            for r in conn.execute(
                sa.select(zoning.zone_categories).where(
                    zoning.zone_categories.c.profession == profession
                )
            )
        }
    category = dict(rows)
    assert set(category) == {c for c, _, _ in LEVELS}
    assert {c: opening[category[c]] for c, _, _ in LEVELS} == {c: q for c, _, q in LEVELS}

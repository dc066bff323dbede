"""Codes read at the decree's effective date (issue item 9), on the backend under test,
with Puy-de-Dôme: Chidrac (63109) and Saint-Cirgues-sur-Couze (63330) became Les
Deux-Rives (63109) on 2025-01-01 (COG movement 32).

- a dentists' decree signed 2024-12-20 and in force 2025-01-01 reads 63109 as Les
  Deux-Rives, so a site in former Saint-Cirgues-sur-Couze qualifies, and a row that
  still says « Chidrac » is reported (the name does not match the code on that date);
- a decree in force after the merger that lists 63330 follows its successor, covered in
  part: ``check --insee 63109`` then answers ``partial``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from cesp.eligibility.check import check
from cesp.eligibility.index import build_index
from cesp.eligibility.sites import CommuneSite, PointSite
from cesp.geo.communes import resolve_code
from cesp.geo.loader import load_reference
from cesp.zones.importer import import_decree
from tests.zones.helpers import request

DENTISTS = {
    "region": "84",
    "profession": "chirurgien-dentiste",
    "signed": date(2024, 12, 20),
    "effective_from": date(2025, 1, 1),
}


@pytest.fixture
def puy_de_dome(scratch_engine: sa.Engine, data_dir: Path) -> sa.Engine:
    load_reference(scratch_engine, data_dir, "63")
    return scratch_engine


def _decree(engine: sa.Engine, path: Path, text: str, **fields: object):
    path.write_text(text, encoding="utf-8")
    return import_decree(engine, path, request(**fields), actor="test")


def test_a_name_that_is_not_the_codes_on_the_effective_date_is_reported(
    puy_de_dome: sa.Engine, tmp_path: Path
) -> None:
    old_name = _decree(
        puy_de_dome,
        tmp_path / "cd.csv",
        "Code commune;Nom commune;Zonage\n63109;Chidrac;Très sous-doté\n",
        reference="CD-2024",
        dry_run=True,
        **DENTISTS,
    )
    (note,) = [n for n in old_name.notes if "ne correspond pas" in n]
    assert "« Chidrac »" in note and "63109 au 2025-01-01 (« Les Deux-Rives »)" in note
    new_name = _decree(
        puy_de_dome,
        tmp_path / "cd2.csv",
        "Code commune;Nom commune;Zonage\n63109;Les Deux-Rives;Très sous-doté\n",
        reference="CD-2024b",
        dry_run=True,
        **DENTISTS,
    )
    assert not [n for n in new_name.notes if "ne correspond pas" in n]


def test_a_site_in_former_saint_cirgues_qualifies_under_the_dentists_decree(
    puy_de_dome: sa.Engine, tmp_path: Path
) -> None:
    report = _decree(
        puy_de_dome,
        tmp_path / "cd.csv",
        "Code commune;Nom commune;Zonage\n63109;Les Deux-Rives;Très sous-doté\n",
        reference="CD-2024",
        publish=True,
        **DENTISTS,
    )
    assert report.status == "published"
    with puy_de_dome.connect() as conn:
        former = resolve_code(conn, "63330", date(2024, 6, 1), with_geometry=True).unit
        point = former.geometry.representative_point()
        index = build_index(puy_de_dome)
        at_point = check(
            index, None, PointSite(point.x, point.y), date(2025, 2, 1), "chirurgien-dentiste"
        )
        by_code = check(index, conn, CommuneSite("63109"), date(2025, 2, 1), "chirurgien-dentiste")
    assert at_point.status == "eligible" and at_point.commune is not None
    assert at_point.commune.code == "63109"
    assert (by_code.status, by_code.coverage) == ("eligible", 1.0)


def test_a_merged_code_makes_its_successor_partial(puy_de_dome: sa.Engine, tmp_path: Path):
    report = _decree(
        puy_de_dome,
        tmp_path / "mg.csv",
        "Code commune;Zonage\n63330;ZIP\n",
        region="84",
        reference="MG-2025",
        signed=date(2025, 6, 2),
        effective_from=date(2025, 7, 1),
        publish=True,
    )
    (note,) = [n for n in report.notes if "fusionné" in n]
    assert "63330" in note and "63109" in note and "en partie" in note
    with puy_de_dome.connect() as conn:
        result = check(build_index(puy_de_dome), conn, CommuneSite("63109"), date(2025, 8, 1))
    assert result.status == "partial"
    assert result.coverage is not None and 0 < result.coverage < 1

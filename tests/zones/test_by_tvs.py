"""Decree files by territory of vie-santé expand to the territories' communes at the
decree's effective date, on the backend under test.

Files and the correspondence are written by ``tests/geo/tvs_tables.py`` (published
column names, our own territories). The dry-run figures (rows kept, skipped by category,
skipped by region) are those of the issue's closing note.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from cesp.errors import ValidationFailedError
from cesp.geo.tvs import TvsNotLoadedError, load_tvs
from cesp.zones.importer import import_decree
from tests.geo.qpv_contours import load_contours
from tests.geo.tvs_tables import ELIGIBLE, drees_csv, drees_zonage_tvs, zonage_ars_tvs
from tests.zones.helpers import request

SIGNED = date(2018, 3, 1)


def _fields(**more: object) -> dict[str, object]:
    return {"signed": SIGNED, "effective_from": SIGNED, "reference": "11-TVS-2018", **more}


def _eligible(engine: sa.Engine, decree_id: int, qualifying: frozenset[str]) -> set[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT zc.commune_code, z.category FROM zone_communes zc "
                "JOIN zones z ON z.id = zc.zone_id WHERE z.decree_id = :d"
            ),
            {"d": decree_id},
        )
        return {code for code, category in rows if category in qualifying}


@pytest.mark.parametrize("writer", [drees_zonage_tvs, zonage_ars_tvs])
def test_a_decree_by_tvs_imports_its_communes_with_no_option(
    idf_engine: sa.Engine, tmp_path: Path, writer
) -> None:
    load_tvs(idf_engine, drees_csv(tmp_path))
    load_contours(idf_engine, tmp_path)  # the DREES workbook has a Zonage_QPV sheet too
    path = writer(tmp_path)
    preview = import_decree(idf_engine, path, request(dry_run=True, **_fields()), actor="test")
    # 3 TVS rows kept (La Courneuve, Bobigny, Bagnolet), Antony « Hors vivier », Lyon
    # of region 84 (by the file's region column, or by the correspondence's regions).
    # The DREES workbook's Zonage_QPV sheet adds one QPV zone (counted as a row kept).
    assert preview.qpv_zones == (1 if writer is drees_zonage_tvs else 0)
    assert preview.rows_kept == 3 + preview.qpv_zones, preview.notes
    assert preview.skipped_by_category == {"Hors vivier": 1}
    assert preview.skipped_by_region == 1
    territories = [z for z in preview.zones if z.priority == 0]
    assert {z.name: (z.category, z.communes) for z in territories} == {
        "La Courneuve": ("ZIP", 2),
        "Bobigny": ("ZAC", 2),
        "Bagnolet": ("ZV", 1),
    }
    assert any("correspondance TVS du 2018-01-01" in n for n in preview.notes)
    report = import_decree(idf_engine, path, request(**_fields()), actor="test")
    assert report.decree is not None
    assert _eligible(idf_engine, report.decree.id, report.qualifying_categories) == ELIGIBLE


def test_without_a_loaded_correspondence_the_import_says_how_to_load_it(
    idf_engine: sa.Engine, tmp_path: Path
) -> None:
    load_contours(idf_engine, tmp_path)
    with pytest.raises(TvsNotLoadedError) as caught:
        import_decree(
            idf_engine, drees_zonage_tvs(tmp_path), request(dry_run=True, **_fields()), actor="t"
        )
    assert "cesp data load-tvs" in caught.value.message_fr
    assert caught.value.field == "zone_code"


def test_an_unknown_tvs_code_is_a_problem_naming_the_vintage_and_the_command(
    idf_engine: sa.Engine, tmp_path: Path
) -> None:
    load_tvs(idf_engine, drees_csv(tmp_path))
    path = zonage_ars_tvs(tmp_path, extra=(("7777_", "Inconnu", "ZIP"),))
    with pytest.raises(ValidationFailedError) as caught:
        import_decree(idf_engine, path, request(dry_run=True, **_fields()), actor="test")
    (problem,) = caught.value.problems
    assert problem.row == 7 and problem.field == "zone_code"
    assert "TVS 7777_ absent de la correspondance TVS-communes du 2018-01-01" in problem.message_fr
    assert "cesp data load-tvs" in problem.message_fr


def test_a_tvs_across_regions_follows_the_majority_region_and_names_communes_outside(
    two_regions_engine: sa.Engine, tmp_path: Path
) -> None:
    load_tvs(two_regions_engine, drees_csv(tmp_path))
    path = zonage_ars_tvs(
        tmp_path, extra=(("XA01_", "Montreuil-Vénissieux", "ZIP"), ("XB01", "Villeurbanne", "ZIP"))
    )
    report = import_decree(
        two_regions_engine, path, request(dry_run=True, **_fields()), actor="test"
    )
    zones = {z.name: z.communes for z in report.zones}
    # Montreuil outweighs Vénissieux: region 11 zones the territory, Vénissieux included.
    assert zones["Montreuil-Vénissieux"] == 2
    assert "Villeurbanne" not in zones
    assert report.skipped_by_region == 2  # Lyon, and the territory mostly in Rhône
    assert any("69259 Vénissieux" in n and "hors région" in n for n in report.notes)
    assert any("majoritairement dans la région 84" in n and "69266" in n for n in report.notes)
    for_rhone = import_decree(
        two_regions_engine,
        path,
        request(
            dry_run=True, region="84", reference="84-TVS", signed=SIGNED, effective_from=SIGNED
        ),
        actor="test",
    )
    assert {z.name for z in for_rhone.zones} >= {"Lyon", "Villeurbanne"}

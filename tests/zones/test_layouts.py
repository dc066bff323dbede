"""Each published zoning layout imports for region 11 with no column or value option.

The files are written by ``tests/zones/published_layouts.py`` (published column names
and spellings, our own rows). Each test imports the file, checks the communes that open
the CESP as stored, and the rows kept / skipped by category / skipped by region that the
dry run reports (the figures of the issue's closing note).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from cesp.errors import InvalidInputError
from cesp.geo.loader import load_reference
from cesp.zones.importer import import_decree
from cesp.zones.readers import ReadOptions
from tests.geo.qpv_contours import load_contours
from tests.zones.helpers import request
from tests.zones.published_layouts import LAYOUTS, idf_2025_ods


def _stored_eligible(engine: sa.Engine, decree_id: int, qualifying: frozenset[str]) -> set[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT zc.commune_code, z.category FROM zone_communes zc "
                "JOIN zones z ON z.id = zc.zone_id WHERE z.decree_id = :d"
            ),
            {"d": decree_id},
        )
        return {code for code, category in rows if category in qualifying}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_published_layout_imports_with_no_option(idf_engine, tmp_path: Path, layout: str):
    path, expected = LAYOUTS[layout](tmp_path)
    load_contours(idf_engine, tmp_path)
    fields = {
        "profession": expected.profession,
        "signed": date.fromisoformat(expected.signed),
        "effective_from": date.fromisoformat(expected.effective_from),
        "reference": f"ARS-{layout}"[:60],
    }
    preview = import_decree(idf_engine, path, request(dry_run=True, **fields), actor="test")
    assert preview.rows_kept == expected.kept, preview.notes
    assert preview.skipped_by_category == expected.by_category, preview.notes
    assert preview.skipped_by_region == expected.by_region, preview.notes
    assert preview.qpv_zones == expected.qpv, preview.notes
    # The notes account for every row of another region the summary counts.
    told = [re.match(r"(\d+) ligne\(s\) (de QPV )?d'autres régions", n) for n in preview.notes]
    assert sum(int(m.group(1)) for m in told if m) == expected.by_region, preview.notes
    report = import_decree(idf_engine, path, request(**fields), actor="test")
    assert report.status == "imported" and report.decree is not None
    stored = _stored_eligible(idf_engine, report.decree.id, report.qualifying_categories)
    assert stored == expected.eligible


def test_zones_follow_the_tvs_column_and_zip_plus_is_a_zip(idf_engine, tmp_path: Path):
    path, _expected = idf_2025_ods(tmp_path)
    report = import_decree(
        idf_engine,
        path,
        request(dry_run=True, signed=date(2025, 6, 2), effective_from=date(2025, 7, 1)),
        actor="test",
    )
    zones = {z.name: (z.category, z.communes) for z in report.zones}
    assert zones == {"La Courneuve": ("ZIP+", 2), "Bobigny": ("ZIP", 2), "Bagnolet": ("ZAC", 1)}
    assert any("en-tête trouvé ligne 3" in n for n in report.notes)


def test_without_a_zone_column_each_code_is_its_own_zone_even_with_one_name(
    idf_engine, tmp_path: Path
):
    path = tmp_path / "homonymes.csv"
    path.write_text(
        "Code commune;Nom commune;Zonage\n93027;Saint-Victor;ZIP\n93008;Saint-Victor;ZAC\n",
        encoding="utf-8",
    )
    report = import_decree(
        idf_engine,
        path,
        request(dry_run=True, signed=date(2018, 3, 1), effective_from=date(2018, 3, 1)),
        actor="test",
    )
    assert sorted((z.category, z.communes) for z in report.zones) == [("ZAC", 1), ("ZIP", 1)]
    # The file's names do not match the codes: reported, not used to group.
    assert sum("ne correspond pas au code" in n for n in report.notes) == 2


def test_options_name_the_columns_and_map_the_values(idf_engine, tmp_path: Path):
    path = tmp_path / "maison.csv"
    path.write_text("ref;secteur;classe\n93027;Nord;P1\n93001;Nord;P1\n93008;Est;P2\n")
    read = ReadOptions(
        code_field="ref",
        zone_field="secteur",
        category_field="classe",
        category_map=(("P1", "ZIP"), ("P2", "ZAC")),
    )
    report = import_decree(
        idf_engine,
        path,
        request(dry_run=True, signed=date(2018, 3, 1), effective_from=date(2018, 3, 1), read=read),
        actor="test",
    )
    assert sorted((z.name, z.category, z.communes) for z in report.zones) == [
        ("Est", "ZAC", 1),
        ("Nord", "ZIP", 2),
    ]


def test_unknown_sheet_lists_the_sheets(idf_engine, tmp_path: Path):
    path, _ = LAYOUTS["drees-national-xlsx"](tmp_path)
    with pytest.raises(InvalidInputError) as caught:
        import_decree(
            idf_engine,
            path,
            request(
                dry_run=True,
                signed=date(2018, 3, 1),
                effective_from=date(2018, 3, 1),
                read=ReadOptions(layer="Communes"),
            ),
            actor="test",
        )
    assert "Zonage_communes" in caught.value.message and caught.value.field == "sheet"


def test_a_pdf_decree_is_told_to_use_its_annex(idf_engine, tmp_path: Path):
    path = tmp_path / "arrete.pdf"
    path.write_bytes(b"%PDF-1.7\n% arrete\n")
    with pytest.raises(InvalidInputError) as caught:
        import_decree(idf_engine, path, request(dry_run=True), actor="test")
    assert "annexe" in caught.value.message_fr


def test_paris_arrondissement_keeps_its_own_polygon(idf_engine, tmp_path: Path):
    path = tmp_path / "paris.csv"
    path.write_text("Code commune;Zonage\n75118;ZAC\n75119;ZIP\n", encoding="utf-8")
    report = import_decree(
        idf_engine,
        path,
        request(dry_run=True, signed=date(2018, 3, 1), effective_from=date(2018, 3, 1)),
        actor="test",
    )
    assert sorted(c.code for z in report.draft_zones for c in z.communes) == ["75118", "75119"]
    assert not any(z.approximate for z in report.zones)


def test_lyon_arrondissements_take_the_commune_polygon_flagged_approximate(
    scratch_engine, data_dir: Path, tmp_path: Path
):
    load_reference(scratch_engine, data_dir, "69")
    path = tmp_path / "lyon.csv"
    path.write_text("Code commune;Zonage\n69381;ZIP\n69387;ZAC\n", encoding="utf-8")
    report = import_decree(
        scratch_engine,
        path,
        request(
            region="84",
            reference="84-2018",
            signed=date(2018, 3, 1),
            effective_from=date(2018, 3, 1),
        ),
        actor="test",
    )
    assert report.status == "imported"
    assert sorted(c.code for z in report.draft_zones for c in z.communes) == ["69381", "69387"]
    assert all(z.approximate for z in report.zones)
    assert all("69123" in (z.approximate_reason or "") for z in report.zones)


def test_a_qpv_decree_cell_naming_other_communes_is_reported(idf_engine, tmp_path: Path):
    load_contours(idf_engine, tmp_path)
    path, _ = LAYOUTS["qpv-decree-csv"](tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("93001, 93027", "93008"), "utf-8")
    report = import_decree(
        idf_engine,
        path,
        request(dry_run=True, signed=date(2018, 3, 1), effective_from=date(2018, 3, 1)),
        actor="test",
    )
    assert report.qpv_zones == 3
    assert any("QP093030 ne couvre pas la ou les commune(s) 93008" in n for n in report.notes)

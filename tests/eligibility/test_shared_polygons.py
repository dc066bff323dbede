"""Communes whose polygon is not their own, and territories zoned across a regional
border: the answers a doctor could be fined on.

Celles (15031), Chalinargues (15035), Chavagnac (15047) and Sainte-Anastasie (15171)
were re-established out of Neussargues-Moissac (15141) on 2025-01-01; the reference
boundaries predate it, so all five share one polygon. A decree zoning 15141 zones
15141 only: by code the others are out, and a point in the shared polygon may be in
any of the five (« partial », never « eligible »). The Aubrac TVS straddles Aveyron
(Occitanie, 76) and Cantal (ARA, 84): Occitanie's decree zones its Cantal commune
15216 while ARA has none in force.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from cesp.eligibility.bulk import check_bulk
from cesp.eligibility.bulk_files import read_sites
from cesp.eligibility.check import check
from cesp.eligibility.index import build_index
from cesp.eligibility.sites import CommuneSite, PointSite
from cesp.eligibility.wording import explain_fr
from tests.posts.conftest import inside
from tests.zones.helpers import cached_template, fill_from, publish_codes

CANTAL_AVEYRON = "12,15"


@pytest.fixture
def cantal_engine(
    scratch_engine: sa.Engine,
    scratch_url: str,
    database_url: str,
    data_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[sa.Engine]:
    """Aveyron (12, Occitanie) and Cantal (15, Auvergne-Rhône-Alpes) loaded."""
    template = cached_template(database_url, data_dir, tmp_path_factory, CANTAL_AVEYRON)
    yield fill_from(scratch_engine, scratch_url, data_dir, template, CANTAL_AVEYRON)


def test_a_commune_sharing_its_polygon_is_zoned_by_its_code(
    cantal_engine: sa.Engine, tmp_path: Path
):
    publish_codes(
        cantal_engine,
        tmp_path / "neussargues.csv",
        "code_insee;categorie\n15141;ZIP\n",
        region="84",
        reference="ARA-NEUS",
        signed=date(2025, 4, 1),
        effective_from=date(2025, 6, 1),
    )
    on = date(2025, 7, 1)
    index = build_index(cantal_engine)
    with cantal_engine.connect() as conn:
        listed = check(index, conn, CommuneSite("15141"), on)
        celles = check(index, conn, CommuneSite("15031"), on)
    assert listed.status == "eligible" and listed.eligible
    assert celles.status == "not_eligible" and not celles.eligible
    lon, lat = inside(cantal_engine, "15031")
    point = check(index, None, PointSite(lon, lat), on)
    assert point.status == "partial" and not point.eligible
    assert point.approximate
    assert point.zones and all(z.qualifies for z in point.zones), "the zone it may be in"
    assert "faites confirmer par l'ARS" in explain_fr(point)
    source, target = tmp_path / "sites.csv", tmp_path / "answers.csv"
    source.write_text(f"id,lon,lat\nc,{lon},{lat}\n", encoding="utf-8")
    check_bulk(index, read_sites(source), target, on)
    with target.open(newline="", encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["status"], row["eligible"]) == ("partial", "false")


def test_every_commune_of_a_shared_polygon_listed_makes_its_points_eligible(
    cantal_engine: sa.Engine, tmp_path: Path
):
    codes = ("15141", "15031", "15035", "15047", "15171")
    publish_codes(
        cantal_engine,
        tmp_path / "all.csv",
        "code_insee;categorie\n" + "".join(f"{c};ZIP\n" for c in codes),
        region="84",
        reference="ARA-ALL",
        signed=date(2025, 4, 1),
        effective_from=date(2025, 6, 1),
    )
    lon, lat = inside(cantal_engine, "15031")
    point = check(build_index(cantal_engine), None, PointSite(lon, lat), date(2025, 7, 1))
    assert point.status == "eligible" and point.eligible


def test_a_commune_zoned_by_the_neighbouring_region_is_eligible_while_its_own_has_none(
    cantal_engine: sa.Engine, tmp_path: Path
):
    publish_codes(
        cantal_engine,
        tmp_path / "aubrac.csv",
        "Code de la commune;Code du territoire de vie-santé;Zonage\n"
        "12074;TVS-AUBRAC;ZIP\n12223;TVS-AUBRAC;ZIP\n15216;TVS-AUBRAC;ZIP\n",
        region="76",
        reference="OCC-1",
        signed=date(2022, 12, 1),
        effective_from=date(2023, 1, 1),
    )
    on = date(2023, 6, 1)
    index = build_index(cantal_engine)
    lon, lat = inside(cantal_engine, "15216")
    with cantal_engine.connect() as conn:
        by_code = check(index, conn, CommuneSite("15216"), on)
        elsewhere = check(index, conn, CommuneSite("15014"), on)
    by_point = check(index, None, PointSite(lon, lat), on)
    assert by_code.status == "eligible" and by_code.eligible
    assert by_point.status == "eligible" and by_point.eligible
    assert elsewhere.status == "no_zoning", "a Cantal commune in no zone: ARA has no decree"

"""Arrondissement codes of Paris, Lyon and Marseille in sites, ``check --insee``, the API
and posts lists; and a valid code whose département is not loaded, told how to load it.

Lyon's arrondissements have no polygon in the reference data: they take Lyon's, and
every answer says it is approximate and why. Run on the backend under test with 69
(region 84) and 75, 92, 93 (region 11) loaded, and 13 (Marseille) not loaded.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from fastapi.testclient import TestClient

from cesp.api.app import create_app
from cesp.cli.main import app
from cesp.eligibility.bulk import check_bulk
from cesp.eligibility.bulk_files import read_sites
from cesp.eligibility.check import check
from cesp.eligibility.index import build_index
from cesp.eligibility.sites import CommuneSite, PointSite
from cesp.eligibility.wording import explain_fr
from cesp.geo.loaded import NotLoadedError
from cesp.posts.validation import validate_posts
from cesp.storage.settings import Settings
from tests.posts.conftest import inside, post_row
from tests.zones.helpers import publish_codes

ON = date(2019, 1, 1)
LYON_DECREE = "Code commune;Zonage\n69381;ZIP\n69387;ZAC\n"
STAND_IN = "contour de la commune 69123 (Lyon) utilisé, réponse valable pour toute la commune"


@pytest.fixture
def lyon_engine(two_regions_engine: sa.Engine, tmp_path: Path) -> sa.Engine:
    """Lyon 1er (ZIP) and 7e (ZAC) zoned by a published decree of region 84 (2018)."""
    publish_codes(
        two_regions_engine,
        tmp_path / "84-2018.csv",
        LYON_DECREE,
        region="84",
        reference="84-2018",
        signed=date(2018, 3, 1),
        effective_from=date(2018, 3, 1),
    )
    return two_regions_engine


def test_a_lyon_arrondissement_code_is_checked_on_lyon_flagged_approximate(
    lyon_engine: sa.Engine,
) -> None:
    with lyon_engine.connect() as conn:
        result = check(build_index(lyon_engine), conn, CommuneSite("69381"), ON)
    assert result.status == "eligible" and result.commune is not None
    assert result.commune.code == "69381" and result.approximate
    assert result.commune.approximate_reason_fr is not None
    assert STAND_IN in result.commune.approximate_reason_fr
    assert "69123" in (result.commune.approximate_reason or "")
    assert STAND_IN in explain_fr(result)


def test_a_point_in_lyon_may_be_in_the_arrondissement_zones_never_surely(
    lyon_engine: sa.Engine,
) -> None:
    """Without arrondissement polygons, a point in Lyon may lie in the 1er or the 7e, or
    in another: « partial », to be confirmed, not « eligible » (a doctor placed there
    on our word would owe the penalty)."""
    lon, lat = inside(lyon_engine, "69123")
    result = check(build_index(lyon_engine), None, PointSite(lon, lat), ON)
    assert result.status == "partial" and not result.eligible and result.approximate
    assert {z.name for z in result.zones} == {"Lyon 1er Arrondissement", "Lyon 7e Arrondissement"}
    assert "faites confirmer par l'ARS" in explain_fr(result)


def test_an_arrondissement_code_the_decree_does_not_list_is_not_eligible(
    lyon_engine: sa.Engine,
) -> None:
    index = build_index(lyon_engine)
    with lyon_engine.connect() as conn:
        fifth = check(index, conn, CommuneSite("69385"), ON)
        lyon = check(index, conn, CommuneSite("69123"), ON)
    assert fifth.status == "not_eligible" and not fifth.eligible
    assert lyon.status == "partial" and not lyon.eligible and lyon.coverage is None
    assert "La commune Lyon n'est qu'en partie en zone éligible :" in explain_fr(lyon)


def test_the_bulk_answer_says_approximate_where_the_single_check_does(
    lyon_engine: sa.Engine, tmp_path: Path
) -> None:
    """The bulk output once left out « contours approchés »: its ``approximate`` column
    is the single check's ``approximate``, point by point."""
    index = build_index(lyon_engine)
    points = [inside(lyon_engine, code) for code in ("69123", "75056", "93008", "92012")]
    source, target = tmp_path / "sites.csv", tmp_path / "answers.csv"
    source.write_text(
        "id,lon,lat\n" + "".join(f"p{i},{x},{y}\n" for i, (x, y) in enumerate(points)),
        encoding="utf-8",
    )
    check_bulk(index, read_sites(source), target, ON)
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    singles = [check(index, None, PointSite(x, y), ON) for x, y in points]
    assert [r["approximate"] for r in rows] == [str(s.approximate).lower() for s in singles]
    assert rows[0]["approximate"] == "true" and rows[1]["approximate"] == "false"


def test_a_paris_arrondissement_keeps_its_own_polygon(lyon_engine: sa.Engine) -> None:
    with lyon_engine.connect() as conn:
        result = check(build_index(lyon_engine), conn, CommuneSite("75118"), ON)
    assert result.commune is not None and result.commune.code == "75118"
    assert result.commune.approximate_reason_fr is None
    assert "réponse valable pour toute la commune" not in explain_fr(result)


def test_a_valid_code_of_a_departement_not_loaded_says_how_to_load_it(
    lyon_engine: sa.Engine,
) -> None:
    with lyon_engine.connect() as conn, pytest.raises(NotLoadedError) as caught:
        check(build_index(lyon_engine), conn, CommuneSite("13201"), ON)
    assert "cesp geo load --departements 13" in caught.value.message_fr
    assert "Bouches-du-Rhône" in caught.value.message_fr
    assert caught.value.field == "insee"


def test_cli_check_insee_69381_answers_and_says_approximate(
    lyon_engine: sa.Engine, scratch_url: str
) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["--database-url", scratch_url, "check", "--insee", "69381", "--date", "2019-01-01"]
    )
    out = " ".join(result.output.split())
    assert result.exit_code == 0, out
    assert "Lieu éligible au CESP" in out and STAND_IN in out
    missing = runner.invoke(app, ["--database-url", scratch_url, "check", "--insee", "13201"])
    out = " ".join(missing.output.split())
    assert missing.exit_code != 0 and "cesp geo load --departements 13" in out
    assert "inconnu" not in out


@pytest.fixture
def api(lyon_engine: sa.Engine, scratch_url: str, data_dir: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=scratch_url, data_dir=data_dir, index_warmup=False)
    with TestClient(create_app(settings)) as client:
        yield client


def test_api_answers_an_arrondissement_and_names_the_missing_departement(api: TestClient) -> None:
    body = api.get("/api/v1/eligibility", params={"insee": "69387", "date": "2019-01-01"}).json()
    assert body["status"] == "eligible" and body["approximate"] is True
    assert body["commune"]["code"] == "69387"
    assert "69123" in body["commune"]["approximate_reason"]
    assert STAND_IN in body["commune"]["approximate_reason_fr"]
    assert STAND_IN in body["message_fr"]
    missing = api.get("/api/v1/eligibility", params={"insee": "13201"})
    assert missing.status_code == 404
    error = missing.json()
    assert error["error"] == "departement_not_loaded" and error["field"] == "insee"
    assert "cesp geo load --departements 13" in error["detail_fr"]
    assert "cesp geo load --departements 13" in error["detail"]


def test_posts_accept_a_lyon_arrondissement_code_with_coordinates_in_lyon(
    lyon_engine: sa.Engine,
) -> None:
    row = post_row(lyon_engine, "69123", "LYON-1", commune_code="69381")
    missing = {**row, "reference": "MRS-1", "commune_code": "13201"}
    with lyon_engine.connect() as conn:
        drafts, problems = validate_posts(
            conn, build_index(lyon_engine), [(2, row), (3, missing)], 1, ON
        )
    assert [d.fields["commune_name"] for d in drafts] == ["Lyon 1er Arrondissement"]
    (problem,) = problems
    assert problem.row == 3 and "cesp geo load --departements 13" in problem.message_fr

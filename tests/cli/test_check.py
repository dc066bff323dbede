"""``cesp check`` and ``cesp check-bulk``, run in-process against a real database."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from cesp.cli.main import app
from cesp.storage.engine import create_engine
from tests.zones.helpers import (
    publish_codes,
    publish_drawn_2018,
)

runner = CliRunner()
BOBIGNY = ("--lon", "2.4397", "--lat", "48.9086")
PARIS_CENTRE = ("--lon", "2.3522", "--lat", "48.8566")


@pytest.fixture
def zoned_url(idf_engine: sa.Engine, scratch_url: str, tmp_path: Path) -> str:
    """75, 92 and 93 with decree 12-209 (2012)."""
    publish_codes(idf_engine, tmp_path / "12-209.csv")
    return scratch_url


def _run(url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--database-url", url, *args])
    return result.exit_code, result.output


def test_eligible_site_exits_0_with_a_french_sentence(zoned_url: str):
    code, out = _run(zoned_url, "check", *BOBIGNY, "--date", "2013-01-01")
    assert code == 0, out
    assert "Lieu éligible au CESP à Bobigny au 01/01/2013" in out
    assert "arrêté 12-209 du 24/05/2012" in out
    assert "commune: 93008 Bobigny" in out
    assert "zone: Bobigny (Zone déficitaire) arrêté 12-209" in out


def test_not_eligible_site_exits_3_and_names_the_nearest_zone(zoned_url: str):
    code, out = _run(zoned_url, "check", *PARIS_CENTRE, "--date", "2013-01-01")
    assert code == 3, out
    assert "Lieu non éligible au CESP" in out
    assert "Zone éligible la plus proche" in out and "ZUS 18ème" in out
    assert re.search(r"à \d+,\d km", " ".join(out.split())), out  # French decimal comma

    code, out = _run(zoned_url, "check", *BOBIGNY, "--date", "2011-01-01")
    assert code == 3 and "Aucun arrêté de zonage en vigueur au 01/01/2011" in out


def test_lambert93_and_insee_sites(zoned_url: str):
    code, out = _run(zoned_url, "check", "--x", "658930", "--y", "6867768", "--date", "2013-01-01")
    assert code == 0 and "commune: 93008 Bobigny" in out
    code, out = _run(zoned_url, "check", "--insee", "93027", "--date", "2013-01-01")
    assert code == 0 and "La Courneuve" in out


def test_json_output_is_the_api_answer(zoned_url: str):
    code, out = _run(zoned_url, "check", *BOBIGNY, "--date", "2013-01-01", "--json")
    assert code == 0, out
    body = json.loads(out)
    assert (body["status"], body["eligible"]) == ("eligible", True)
    assert body["commune"]["code"] == "93008"
    assert [d["reference"] for d in body["decrees"]] == ["12-209"]
    assert body["message_fr"].startswith("Lieu éligible")


@pytest.mark.parametrize(
    "args, message",
    [
        (("--lon", "2.4"), "lon et lat"),
        ((*BOBIGNY, "--date", "hier"), "AAAA-MM-JJ"),
        (("--x", "6867768", "--y", "658930"), "inversés"),
        ((*BOBIGNY, "--insee", "93008"), "soit lon et lat"),
        (("--insee", "93059", "--date", "2026-01-01"), "n'est pas une commune"),
        ((*BOBIGNY, "--profession", "plombier"), "Profession inconnue"),
    ],
)
def test_bad_input_exits_2_with_a_message(zoned_url: str, args: tuple, message: str):
    code, out = _run(zoned_url, "check", *args)
    assert code == 2, out
    assert message in out


def test_check_bulk_writes_the_answers(zoned_url: str, tmp_path: Path):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(
        "id;lon;lat;date\n"
        "a;2.4397;48.9086;2013-01-01\n"
        "b;2.3522;48.8566;2013-01-01\n"
        "c;x;48.9;2013-01-01\n"
        "d;2.4397;48.9086;2011-01-01\n",
        encoding="utf-8",
    )
    code, out = _run(zoned_url, "check-bulk", str(source), "-o", str(target))
    assert code == 0, out
    assert "4 lignes écrites" in out and "invalid: 1" in out
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["id"], r["status"]) for r in rows] == [
        ("a", "eligible"),
        ("b", "not_eligible"),
        ("c", "invalid"),
        ("d", "no_zoning"),
    ]
    # Its .csvt beside it, as every datagouv CSV: QGIS reads lon/lat and distances as reals.
    types = target.with_suffix(".csvt").read_text(encoding="utf-8").strip().split(",")
    header = list(rows[0])
    assert len(types) == len(header)
    assert {header[i]: t for i, t in enumerate(types)}["lon"] == '"Real"'
    assert {header[i]: t for i, t in enumerate(types)}["id"] == '"String"'
    assert rows[1]["commune_code"] == "75056" and float(rows[1]["distance_m"]) > 0

    code, out = _run(zoned_url, "check-bulk", str(source), "-o", str(target), "--date", "x")
    assert code == 2 and "AAAA-MM-JJ" in out
    code, out = _run(zoned_url, "check-bulk", str(tmp_path / "missing.csv"), "-o", str(target))
    assert code == 2


def test_check_bulk_reuses_the_stored_index_until_a_publication(
    zoned_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The second run loads the index the first one stored; a new decree is seen at once."""
    cache = tmp_path / "index-cache"
    monkeypatch.setenv("CESP_INDEX_CACHE_DIR", str(cache))
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("id,lon,lat,date\ndrancy,2.425,48.925,2018-06-01\n", encoding="utf-8")

    def status() -> str:
        code, out = _run(zoned_url, "check-bulk", str(source), "-o", str(target))
        assert code == 0, out
        with target.open(newline="", encoding="utf-8") as handle:
            return next(csv.DictReader(handle))["status"]

    assert status() == "not_eligible"
    stored = sorted(cache.glob("index-*.bin"))
    assert len(stored) == 1
    inode = stored[0].stat().st_ino
    assert status() == "not_eligible"
    assert stored[0].stat().st_ino == inode, "loaded, not built and written again"

    publish_drawn_2018(create_engine(zoned_url), tmp_path / "17-1000.geojson")
    assert status() == "eligible"
    assert sorted(cache.glob("index-*.bin")) != stored


def test_publishing_from_the_cli_stores_the_new_index_for_the_next_check(
    zoned_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    cache = tmp_path / "index-cache"
    monkeypatch.setenv("CESP_INDEX_CACHE_DIR", str(cache))
    decree = tmp_path / "20-1.csv"
    decree.write_text("code_insee;nom_zone\n93027;La Courneuve\n", encoding="utf-8")
    code, out = _run(
        zoned_url, "zones", "import", str(decree), "--region", "11", "--reference", "20-1",
        "--signed", "2020-01-10", "--effective-from", "2020-02-01", "--profession", "medecin",
        "--category", "ZIP", "--publish",
    )  # fmt: skip
    assert code == 0, out
    assert "Index des zones prêt" in out
    [stored] = cache.glob("index-*.bin")
    inode = stored.stat().st_ino
    code, out = _run(zoned_url, "check", "--insee", "93027", "--date", "2021-01-01")
    assert code == 0 and "20-1" in out, out
    [again] = cache.glob("index-*.bin")
    assert again.stat().st_ino == inode, "the check loaded the index the publication stored"


def test_a_batch_of_publications_prepares_the_index_once_at_the_end(
    zoned_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    cache = tmp_path / "index-cache"
    monkeypatch.setenv("CESP_INDEX_CACHE_DIR", str(cache))
    for number, code in ((1, "93027"), (2, "93029")):
        decree = tmp_path / f"20-{number}.csv"
        decree.write_text(f"code_insee;nom_zone\n{code};Zone {number}\n", encoding="utf-8")
        code_, out = _run(
            zoned_url, "zones", "import", str(decree), "--region", "11",
            "--reference", f"20-{number}", "--signed", f"2020-0{number}-10",
            "--effective-from", f"2020-0{number + 1}-01", "--profession", "medecin",
            "--category", "ZIP", "--publish", "--no-index",
        )  # fmt: skip
        assert code_ == 0, out
        assert "Index des zones prêt" not in out
    assert not list(cache.glob("index-*.bin"))

    code_, out = _run(zoned_url, "zones", "index")
    assert code_ == 0 and "Index des zones prêt" in out, out
    [stored] = cache.glob("index-*.bin")
    inode = stored.stat().st_ino
    code_, out = _run(zoned_url, "check", "--insee", "93029", "--date", "2021-01-01")
    assert code_ == 0 and "20-2" in out, out
    assert stored.stat().st_ino == inode and list(cache.glob("index-*.bin")) == [stored]


def test_without_an_index_directory_nothing_is_prepared_and_checks_still_answer(
    zoned_url: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("CESP_INDEX_CACHE_DIR", "")
    code, out = _run(zoned_url, "zones", "index")
    assert code == 0 and "CESP_INDEX_CACHE_DIR est vide" in out, out
    code, out = _run(zoned_url, "check", "--insee", "93027", "--date", "2013-01-01")
    assert code == 0 and "12-209" in out, out


def test_check_bulk_writes_for_a_french_excel_and_reads_it_back(zoned_url: str, tmp_path: Path):
    """``--dialect excel-fr`` gives a file a French spreadsheet opens as numbers, and that
    ``check-bulk`` reads again (``;``, decimal commas, jj/mm/aaaa dates)."""
    source = tmp_path / "sites.csv"
    source.write_text(
        "id;lon;lat;date\nbobigny;2,4397;48,9086;01/01/2013\nparis;2,3522;48,8566;01/01/2013\n",
        encoding="utf-8",
    )
    french = tmp_path / "reponses.csv"
    code, out = _run(
        zoned_url, "check-bulk", str(source), "-o", str(french), "--dialect", "excel-fr"
    )
    assert code == 0, out
    assert not french.with_suffix(".csvt").exists(), "a spreadsheet file: no .csvt"
    rows = list(csv.DictReader(french.open(encoding="utf-8-sig", newline=""), delimiter=";"))
    assert [(r["id"], r["eligible"]) for r in rows] == [("bobigny", "oui"), ("paris", "non")]
    assert "," in rows[1]["distance_m"] and "." not in rows[1]["distance_m"]
    again = tmp_path / "again.csv"
    code, out = _run(zoned_url, "check-bulk", str(french), "-o", str(again))
    assert code == 0, out
    second = list(csv.DictReader(again.open(encoding="utf-8", newline="")))
    assert [r["status"] for r in second] == ["eligible", "not_eligible"]
    code, out = _run(zoned_url, "check-bulk", str(source), "-o", str(again), "--dialect", "fr")
    assert code == 2 and "excel-fr" in out and "datagouv" in out

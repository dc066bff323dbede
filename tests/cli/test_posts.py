"""``cesp posts``, ``cesp campaign`` and ``cesp beneficiaries`` in-process, on a real
database: a list imported and exported, a bad list refused line by line with exit 2,
the sample list, and an allocation explained."""

import csv
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from cesp.audit import Actor
from cesp.cli.main import app
from cesp.posts.choices import file_wishes
from cesp.posts.listfile import IMPORT_HEADERS
from tests.posts.conftest import index_of, post_row
from tests.zones.helpers import publish_codes

runner = CliRunner()


@pytest.fixture
def zoned(idf_engine: sa.Engine, tmp_path: Path) -> sa.Engine:
    publish_codes(idf_engine, tmp_path / "12-209.csv")
    return idf_engine


def run(url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--database-url", url, *args])
    return result.exit_code, result.output


def write_list(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(IMPORT_HEADERS.values())
        writer.writerows([[r.get(k, "") for k in IMPORT_HEADERS] for r in rows])
    return path


def test_import_then_export_a_list(zoned: sa.Engine, scratch_url: str, tmp_path: Path) -> None:
    rows = [post_row(zoned, "93027", "A-1"), post_row(zoned, "93008", "A-2", mode="mixte")]
    code, out = run(
        scratch_url,
        "posts",
        "import",
        str(write_list(tmp_path / "l.csv", rows)),
        "--campaign",
        "2026",
    )
    assert code == 0, out
    assert "2 postes importés dans la campagne 2026" in out
    target = tmp_path / "export.csv"
    code, out = run(scratch_url, "posts", "export", "-o", str(target), "--campaign", "2026")
    assert code == 0, out
    table = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [(r["reference"], r["nom_com"], r["mode"]) for r in table] == [
        ("A-1", "La Courneuve", "libéral"),
        ("A-2", "Bobigny", "mixte"),
    ]
    types = target.with_suffix(".csvt").read_text(encoding="utf-8")
    assert types.split(",")[:3] == ['"Integer"', '"Integer"', '"String"'], "QGIS reads it"
    french = tmp_path / "excel.csv"
    code, out = run(scratch_url, "posts", "export", "-o", str(french), "--dialect", "excel-fr")
    assert code == 0, out
    assert not french.with_suffix(".csvt").exists()
    lines = french.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("poste_id;campagne;reference;") and ";libéral;" in lines[1]
    code, out = run(scratch_url, "posts", "export", "-o", str(french), "--dialect", "us")
    assert code == 2 and "excel-fr" in out


def test_a_bad_list_exits_2_names_each_line_and_writes_nothing(
    zoned: sa.Engine, scratch_url: str, tmp_path: Path
) -> None:
    rows = [post_row(zoned, "93027", "OK"), {**post_row(zoned, "93008", "NEG"), "places": "-1"}]
    code, out = run(
        scratch_url,
        "posts",
        "import",
        str(write_list(tmp_path / "l.csv", rows)),
        "--campaign",
        "2026",
    )
    assert code == 2
    assert "ligne 3, colonne places" in out and "Rien n'a été importé" in out
    with zoned.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM posts")).scalar_one() == 0


def test_export_refuses_an_unknown_format(
    zoned: sa.Engine, scratch_url: str, tmp_path: Path
) -> None:
    code, out = run(scratch_url, "posts", "export", "-o", str(tmp_path / "x.pdf"))
    assert code == 2 and ".csv ou .xlsx" in out


def test_sample_list_is_labelled_deterministic_and_allocates(
    zoned: sa.Engine, scratch_url: str, tmp_path: Path
) -> None:
    code, out = run(scratch_url, "posts", "sample", "--count", "30", "--beneficiaries", "6")
    assert code == 0, out
    assert "Données d'EXEMPLE : 36 postes, 6 bénéficiaires" in out
    with zoned.connect() as conn:
        refs = conn.execute(sa.text("SELECT reference, sample FROM posts ORDER BY id")).all()
        exercice = conn.execute(
            sa.text("SELECT id FROM campaigns WHERE kind = 'exercice'")
        ).scalar_one()
        posts = conn.execute(
            sa.text("SELECT id, specialty FROM posts WHERE kind = 'exercice' ORDER BY id")
        ).all()
        people = conn.execute(sa.text("SELECT id, specialty FROM beneficiaries ORDER BY id")).all()
    assert all(ref.startswith("EXEMPLE-") and sample for ref, sample in refs)
    index = index_of(zoned)
    wished = 0
    for person, specialty in people:  # wishes in the beneficiary's own specialty only
        mine = [post for post, of in posts if of == specialty][:2]
        if mine:
            file_wishes(zoned, index, exercice, Actor("cng", "cng"), mine, person)
            wished += 1
    assert wished >= 2, "the sample has posts for its beneficiaries' specialties"
    code, out = run(scratch_url, "campaign", "allocate", str(exercice))
    assert code == 0, out
    assert "Répartition n°1" in out and "proposé" in out


def test_a_decree_dry_run_lists_the_open_posts_it_would_take_out(
    zoned: sa.Engine, scratch_url: str, tmp_path: Path
) -> None:
    rows = [post_row(zoned, "93027", "COURNEUVE"), post_row(zoned, "93008", "BOBIGNY")]
    code, out = run(
        scratch_url,
        "posts",
        "import",
        str(write_list(tmp_path / "l.csv", rows)),
        "--campaign",
        "2026",
    )
    assert code == 0, out
    decree = tmp_path / "26-1.csv"
    decree.write_text("code_insee;nom_zone\n93027;La Courneuve\n", encoding="utf-8")
    code, out = run(
        scratch_url,
        "zones",
        "import",
        str(decree),
        "--region",
        "11",
        "--reference",
        "26-1",
        "--signed",
        "2026-01-10",
        "--effective-from",
        "2026-02-01",
        "--profession",
        "medecin",
        "--category",
        "ZIP",
        "--dry-run",
    )
    assert code == 0, out
    assert "Postes ouverts qui sortiraient de toute zone : 1" in out
    assert "BOBIGNY" in out and "COURNEUVE" not in out.split("sortiraient")[1]
